'use client';

import { useSuspenseQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { PageHeader } from '@/components/layout/page-header';
import { useTRPC } from '@/components/trpc/provider';
import { Alert } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';
import { CreateUserDialog } from '@/components/users/create-user-dialog';
import { UserTable } from '@/components/users/user-table';

export function UsersClient() {
  const trpc = useTRPC();
  const { data: users } = useSuspenseQuery(trpc.users.list.queryOptions());
  const [created, setCreated] = useState<string | null>(null);
  return (
    <>
      <PageHeader
        title="Users"
        description="Who can sign in, and what they may do."
        actions={<CreateUserDialog onCreated={setCreated} />}
      />
      <div className="space-y-4">
        {created && <Alert tone="success">{created} can sign in now.</Alert>}
        <Card>
          <UserTable users={users} />
        </Card>
      </div>
    </>
  );
}
