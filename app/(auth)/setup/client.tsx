'use client';

import { SetupForm } from '@/components/auth/setup-form';
import { AuthCard } from '@/components/auth/auth-card';

export function SetupClient() {
  return (
    <AuthCard
      title="Welcome to Capstan"
      description="Create the first admin account. You can invite the rest of the team once you are in."
    >
      <SetupForm />
    </AuthCard>
  );
}
