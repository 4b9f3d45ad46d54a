import { z } from 'zod';
import { roles } from '@/db/schema';
import { safeText } from '../safe-text';

export const emailSchema = safeText('Email address')
  .trim()
  .toLowerCase()
  .max(254, 'Email address can have at most 254 characters')
  .email('Enter a valid email address');
export const passwordSchema = safeText('Password')
  .min(10, 'Password needs at least 10 characters')
  .max(200, 'Password can have at most 200 characters');

export const signInSchema = z.object({
  email: emailSchema,
  password: safeText('Password').min(1, 'Enter your password').max(1024, 'Password is too long'),
});

export const createUserSchema = z.object({
  email: emailSchema,
  name: safeText('Name').trim().min(1, 'Name is required').max(100, 'Name can have at most 100 characters'),
  password: passwordSchema,
  role: z.enum(roles),
});

export const setupSchema = createUserSchema.omit({ role: true });

export const setRoleSchema = z.object({ userId: z.string().uuid(), role: z.enum(roles) });
export const setDisabledSchema = z.object({ userId: z.string().uuid(), disabled: z.boolean() });
