'use client';

import Link from 'next/link';
import { cannotCreateReason } from '@/components/auth/permissions';
import { useSessionUser } from '@/components/auth/session';
import { PageHeader } from '@/components/layout/page-header';
import { CreateServiceForm } from '@/components/services/create-service-form';
import { ButtonLink } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { LockIcon } from '@/components/ui/icons';

export function NewServiceClient() {
  const user = useSessionUser();
  const reason = cannotCreateReason(user);
  return (
    <div className="mx-auto max-w-3xl">
      <PageHeader
        eyebrow={
          <Link href="/" className="hover:text-zinc-900 dark:hover:text-zinc-100">
            Overview
          </Link>
        }
        title="New service"
        description="Capstan pulls the image, starts the replicas and only calls the deploy done once every one is healthy."
      />
      {reason ? (
        <Card>
          <EmptyState
            icon={<LockIcon className="size-5" />}
            title="You cannot create services"
            description={reason}
            action={<ButtonLink href="/">Back to overview</ButtonLink>}
          />
        </Card>
      ) : (
        <CreateServiceForm />
      )}
    </div>
  );
}
