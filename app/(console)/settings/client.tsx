'use client';

import { useSuspenseQuery } from '@tanstack/react-query';
import { PageHeader } from '@/components/layout/page-header';
import { AddRegistryForm } from '@/components/settings/add-registry-form';
import { RegistryTable } from '@/components/settings/registry-table';
import { useTRPC } from '@/components/trpc/provider';
import { Card, CardBody, CardHeader } from '@/components/ui/card';

export function SettingsClient() {
  const trpc = useTRPC();
  const { data: registries } = useSuspenseQuery(trpc.registries.list.queryOptions());
  return (
    <>
      <PageHeader title="Settings" description="Configuration that applies to every service." />
      <div className="space-y-6">
        <Card aria-labelledby="registries-title">
          <CardHeader
            id="registries-title"
            title="Registry credentials"
            description="Used when pulling images from private registries. Passwords are encrypted and never shown."
          />
          <RegistryTable registries={registries} />
        </Card>
        <Card aria-labelledby="add-registry-title">
          <CardHeader id="add-registry-title" title="Add credentials" />
          <CardBody>
            <AddRegistryForm />
          </CardBody>
        </Card>
      </div>
    </>
  );
}
