'use client';

import { useSuspenseQuery } from '@tanstack/react-query';
import { PageHeader } from '@/components/layout/page-header';
import { AddRegistryForm } from '@/components/settings/add-registry-form';
import { MetricsToken } from '@/components/settings/metrics-token';
import { RegistryTable } from '@/components/settings/registry-table';
import { useTRPC } from '@/components/trpc/provider';
import { Card, CardBody, CardHeader } from '@/components/ui/card';

export function SettingsClient() {
  const trpc = useTRPC();
  const { data: registries } = useSuspenseQuery(trpc.registries.list.queryOptions());
  const { data: scrape } = useSuspenseQuery(trpc.metrics.scrapeAccess.queryOptions());
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
        <Card aria-labelledby="metrics-title">
          <CardHeader
            id="metrics-title"
            title="Prometheus metrics"
            description="GET /api/metrics wants this bearer token (so does the detail of /api/health). Set CAPSTAN_METRICS_TOKEN to choose it."
          />
          <CardBody>
            <MetricsToken access={scrape} />
          </CardBody>
        </Card>
      </div>
    </>
  );
}
