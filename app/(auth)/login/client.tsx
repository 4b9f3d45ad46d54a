'use client';

import { SignInForm } from '@/components/auth/sign-in-form';
import { AuthCard } from '@/components/auth/auth-card';

export function LoginClient({ next }: { next: string }) {
  return (
    <AuthCard title="Sign in" description="Use the account an admin created for you.">
      <SignInForm next={next} />
    </AuthCard>
  );
}
