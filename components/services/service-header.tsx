import Link from 'next/link';
import { PageHeader } from '@/components/layout/page-header';
import type { ServiceDetail } from '@/components/router-types';
import { Badge } from '@/components/ui/badge';
import { LockIcon } from '@/components/ui/icons';
import { RelativeTime } from '@/components/ui/relative-time';
import { ReplicaMeter } from './replica-meter';
import { strategyOrDefault, summarizeStrategy } from './rollout-strategy';
import { HealthBadge } from './status-badges';

function Meta({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="flex items-center gap-1.5">
      <dt className="text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd className="text-zinc-800 dark:text-zinc-200">{children}</dd>
    </div>
  );
}

export function ServiceHeader({ data }: { data: ServiceDetail }) {
  const { service, spec } = data;
  return (
    <PageHeader
      eyebrow={
        <Link href="/" className="hover:text-zinc-900 dark:hover:text-zinc-100">
          Overview
        </Link>
      }
      title={
        <>
          <span data-testid="service-name">{service.name}</span>
          <HealthBadge health={data.health} />
          {service.protected && (
            <Badge tone="amber" title="Only its owner, operators and admins can change it">
              <LockIcon className="size-3" /> protected
            </Badge>
          )}
        </>
      }
      description={service.description || undefined}
      meta={
        <dl className="flex flex-wrap items-center gap-x-5 gap-y-1 text-xs">
          <Meta label="Image">
            <span className="font-mono">{spec ? `${spec.image}:${spec.tag}` : '—'}</span>
          </Meta>
          <Meta label="Revision">
            <span className="font-mono">
              {service.desiredRevision ? `r${service.desiredRevision}` : 'not deployed'}
            </span>
          </Meta>
          <Meta label="Ready">
            <ReplicaMeter ready={data.ready} desired={data.desired} />
          </Meta>
          <Meta label="Endpoint">
            {data.endpoint ? (
              <a
                href={data.endpoint}
                target="_blank"
                rel="noreferrer"
                className="font-mono text-indigo-600 hover:underline dark:text-indigo-400"
                data-testid="service-endpoint"
              >
                {data.endpoint.replace('http://', '')}
              </a>
            ) : (
              <span className="text-zinc-400">—</span>
            )}
          </Meta>
          {data.traffic && (
            <Meta label="Requests">
              <span className="font-mono tabular-nums">
                {data.traffic.requests}
                {data.traffic.errors5xx > 0 && (
                  <span className="ml-1 text-red-600 dark:text-red-400">({data.traffic.errors5xx} 5xx)</span>
                )}
              </span>
            </Meta>
          )}
          <Meta label="Logs">
            <Link
              href={`/services/${service.id}/logs`}
              className="text-indigo-600 hover:underline dark:text-indigo-400"
              data-testid="service-logs-link"
            >
              tail, search, follow
            </Link>
          </Meta>
          <Meta label="Container port">
            <span className="font-mono">{spec?.port ?? '—'}</span>
          </Meta>
          <Meta label="Rollout">
            {spec ? (
              summarizeStrategy(strategyOrDefault(spec.strategy))
            ) : (
              <span className="text-zinc-400">—</span>
            )}
          </Meta>
          <Meta label="Owner">{service.owner ?? <span className="text-zinc-400">none</span>}</Meta>
          <Meta label="Created">
            <RelativeTime date={service.createdAt} />
          </Meta>
        </dl>
      }
    />
  );
}
