import type { RouterOutputs } from '@/components/router-types';
import { Badge } from '@/components/ui/badge';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';

type Slo = RouterOutputs['metrics']['slo'];

function rate(v: number | null) {
  return v === null ? '—' : `${v < 10 ? v.toFixed(2) : v.toFixed(1)}×`;
}

/**
 * The two multi-window burn-rate alerts: each fires only when both its long and short window burn the
 * budget faster than its threshold.
 */
export function BurnRateTable({ slo }: { slo: Slo }) {
  const samples = (w: string) => slo.burnRates.find((b) => b.window === w)?.samples ?? 0;
  return (
    <Table aria-label="Burn-rate alerts">
      <THead>
        <tr>
          <Th>Alert</Th>
          <Th className="text-right">Threshold</Th>
          <Th className="text-right">Long window</Th>
          <Th className="text-right">Short window</Th>
          <Th>State</Th>
        </tr>
      </THead>
      <TBody>
        {slo.alerts.map((a) => (
          <Tr key={a.severity} data-testid={`burn-alert-${a.severity}`} data-firing={a.firing}>
            <Td className="capitalize">{a.severity}</Td>
            <Td className="text-right font-mono text-xs tabular-nums">{a.threshold}×</Td>
            <Td
              className="text-right font-mono text-xs tabular-nums"
              title={`${samples(a.longWindow)} samples`}
            >
              <span className="text-zinc-400 dark:text-zinc-500">{a.longWindow}</span> {rate(a.longBurnRate)}
            </Td>
            <Td
              className="text-right font-mono text-xs tabular-nums"
              title={`${samples(a.shortWindow)} samples`}
            >
              <span className="text-zinc-400 dark:text-zinc-500">{a.shortWindow}</span>{' '}
              {rate(a.shortBurnRate)}
            </Td>
            <Td>
              {slo.targetPercent === null ? (
                <span className="text-xs text-zinc-400">needs a target</span>
              ) : a.firing ? (
                <Badge tone="red" dot pulse data-status="firing">
                  Firing
                </Badge>
              ) : (
                <Badge tone="green" data-status="ok">
                  Not firing
                </Badge>
              )}
            </Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}
