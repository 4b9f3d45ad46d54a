import type { Revision, ServiceSpecView } from '@/components/router-types';
import { Badge } from '@/components/ui/badge';
import { RelativeTime } from '@/components/ui/relative-time';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { RedeployButton } from './redeploy-button';
import { RestartServiceButton } from './restart-service-button';

type Props = {
  serviceId: string;
  serviceName: string;
  revisions: Revision[];
  currentRevision: number | null;
  stableRevision: number | null;
  currentSpec: ServiceSpecView | null;
  /** The service's replica count, for the current revision's restart. */
  desired: number;
  disabledReason: string | null;
};

/**
 * Every immutable revision of the spec, newest first. An older one can be deployed again (a rollback); the
 * current one is restarted instead, since deploying it again would change nothing.
 */
export function RevisionTable({
  serviceId,
  serviceName,
  revisions,
  currentRevision,
  stableRevision,
  currentSpec,
  desired,
  disabledReason,
}: Props) {
  return (
    <Table aria-label="Revisions">
      <THead>
        <tr>
          <Th>Revision</Th>
          <Th>Image</Th>
          <Th>Change</Th>
          <Th>By</Th>
          <Th>When</Th>
          <Th className="relative text-right">
            <span className="sr-only">Actions</span>
          </Th>
        </tr>
      </THead>
      <TBody>
        {revisions.map((r) => (
          <Tr key={r.number} data-testid={`revision-row-${r.number}`}>
            <Td className="whitespace-nowrap">
              <span className="font-mono text-xs font-medium">r{r.number}</span>
              {r.number === currentRevision && (
                <Badge tone="indigo" className="ml-2">
                  current
                </Badge>
              )}
              {r.number === stableRevision && r.number !== currentRevision && (
                <Badge tone="green" className="ml-2" title="The last revision that became fully healthy">
                  last stable
                </Badge>
              )}
            </Td>
            <Td className="font-mono text-xs whitespace-nowrap">
              {r.spec.image}:{r.spec.tag}
            </Td>
            <Td className="max-w-80 truncate text-xs" title={r.summary}>
              {r.summary}
            </Td>
            <Td className="max-w-48 truncate text-xs">
              {r.createdBy ?? <span className="text-zinc-500">system</span>}
            </Td>
            <Td className="text-xs whitespace-nowrap">
              <RelativeTime date={r.createdAt} />
            </Td>
            <Td className="text-right">
              {r.number === currentRevision ? (
                <RestartServiceButton
                  serviceId={serviceId}
                  serviceName={serviceName}
                  desired={desired}
                  disabledReason={disabledReason}
                />
              ) : (
                <RedeployButton
                  serviceId={serviceId}
                  serviceName={serviceName}
                  revision={r}
                  currentRevision={currentRevision}
                  currentSpec={currentSpec}
                  disabledReason={disabledReason}
                />
              )}
            </Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}
