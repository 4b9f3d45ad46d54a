import net from 'node:net';
import { sql } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { Conflict } from '../errors';

const RANGE = { from: 21000, to: 29999 };

async function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Ports of every service's revisions: an endpoint belongs to one service for its whole life. */
async function portsInUse(tx: Tx, exceptServiceId: string | null): Promise<Set<number>> {
  const rows = await tx.execute<{ port: number | null }>(
    sql`select distinct (spec->>'endpointPort')::int as port from revisions
        where spec->>'endpointPort' is not null ${exceptServiceId ? sql`and service_id <> ${exceptServiceId}` : sql``}`,
  );
  return new Set((rows as unknown as { rows: { port: number | null }[] }).rows.map((r) => Number(r.port)));
}

/** The endpoint port for a new revision: the one asked for if no other service has it, else a free one. */
export async function endpointPortFor(
  tx: Tx,
  serviceId: string | null,
  wanted: number | null,
): Promise<number> {
  const used = await portsInUse(tx, serviceId);
  if (wanted !== null) {
    if (used.has(wanted)) throw new Conflict(`Endpoint port ${wanted} belongs to another service.`);
    // A port this service already serves is the proxy's; a new one must be free on the host.
    const own = serviceId !== null && (await portsInUse(tx, null)).has(wanted);
    if (!own && !(await bindable(wanted)))
      throw new Conflict(
        `Endpoint port ${wanted} is in use by another program on this host: pick another, or leave it empty and Capstan picks a free one.`,
      );
    return wanted;
  }
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = RANGE.from + Math.floor(Math.random() * (RANGE.to - RANGE.from + 1));
    if (!used.has(port) && (await bindable(port))) return port;
  }
  throw new Conflict('No free endpoint port is left between 21000 and 29999.');
}
