import type { Revision, ServiceSpecView } from '@/components/router-types';
import { Badge } from '@/components/ui/badge';
import { RelativeTime } from '@/components/ui/relative-time';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { RedeployButton } from './redeploy-button';

type Props = {
  serviceId: string;
  serviceName: string;
  revisions: Revision[];
  currentRevision: number | null;
  stableRevision: number | null;
  currentSpec: ServiceSpecView | null;
  disabledReason: string | null;
};

/** Every immutable revision of the spec, newest first, each one deployable again. */
export function RevisionTable({
  serviceId,
  serviceName,
  revisions,
  currentRevision,
  stableRevision,
  currentSpec,
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
          <Th className="text-right">
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
              <RedeployButton
                serviceId={serviceId}
                serviceName={serviceName}
                revision={r}
                currentRevision={currentRevision}
                currentSpec={currentSpec}
                disabledReason={disabledReason}
              />
            </Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}
