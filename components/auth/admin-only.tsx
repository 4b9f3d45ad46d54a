import { PageHeader } from '@/components/layout/page-header';
import { ButtonLink } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { LockIcon } from '@/components/ui/icons';

export function AdminOnly({ title }: { title: string }) {
  return (
    <>
      <PageHeader title={title} />
      <Card>
        <EmptyState
          icon={<LockIcon className="size-5" />}
          title="Admins only"
          description="This page needs the admin role. Ask an admin if you need access."
          action={<ButtonLink href="/">Back to overview</ButtonLink>}
        />
      </Card>
    </>
  );
}
