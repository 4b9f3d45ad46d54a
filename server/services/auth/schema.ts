import { z } from 'zod';
import { roles } from '@/db/schema';

export const emailSchema = z.string().trim().toLowerCase().email('Enter a valid email address');
export const passwordSchema = z
  .string()
  .min(10, 'Password needs at least 10 characters')
  .max(200, 'Password can have at most 200 characters');

export const signInSchema = z.object({
  email: emailSchema,
  password: z.string().min(1, 'Enter your password'),
});

export const createUserSchema = z.object({
  email: emailSchema,
  name: z.string().trim().min(1, 'Name is required').max(100),
  password: passwordSchema,
  role: z.enum(roles),
});

export const setupSchema = createUserSchema.omit({ role: true });

export const setRoleSchema = z.object({ userId: z.string().uuid(), role: z.enum(roles) });
export const setDisabledSchema = z.object({ userId: z.string().uuid(), disabled: z.boolean() });
