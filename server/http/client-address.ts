import { BlockList, isIP } from 'node:net';

/**
 * The address of the TCP peer, stamped on every request by `stampPeerAddresses` before Next.js sees it.
 * Next.js keeps a client's own X-Forwarded-For and sets it from the socket only when it is missing, so
 * the header alone cannot tell a proxy's word from a forged one.
 */
export const PEER_HEADER = 'x-capstan-peer';

export function splitList(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `::ffff:10.0.0.1` → `10.0.0.1`; `[::1]:80` → `::1`; `10.0.0.1:80` → `10.0.0.1`; anything else → null. */
export function normalizeAddress(raw: string | null | undefined): string | null {
  let a = raw?.trim() ?? '';
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed) a = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(':'));
  if (/^::ffff:[\d.]+$/i.test(a)) a = a.slice('::ffff:'.length);
  return isIP(a) ? a.toLowerCase() : null;
}

type AddressRange = { address: string; prefix: number; family: 'ipv4' | 'ipv6' };

/** `10.0.0.1` or `10.0.0.0/8` or `fd00::/8`; null when it is neither. */
export function parseAddressRange(entry: string): AddressRange | null {
  const [addr, bits, ...rest] = entry.trim().split('/');
  const address = normalizeAddress(addr);
  if (!address || rest.length > 0) return null;
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  const max = family === 'ipv6' ? 128 : 32;
  if (bits === undefined) return { address, prefix: max, family };
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return null;
  return { address, prefix: Number(bits), family };
}

/** The proxies whose forwarding headers are believed (CAPSTAN_TRUSTED_PROXIES). */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly size: number;

  constructor(entries: string[]) {
    for (const entry of entries) {
      const range = parseAddressRange(entry);
      if (!range) throw new Error(`"${entry}" is not an IP address or CIDR range`);
      this.list.addSubnet(range.address, range.prefix, range.family);
    }
    this.size = entries.length;
  }

  static parse(list: string): TrustedProxies {
    return new TrustedProxies(splitList(list));
  }

  has(address: string): boolean {
    return this.size > 0 && this.list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  }
}

/**
 * The client's address: the TCP peer, unless the peer is a trusted proxy; then X-Forwarded-For is read
 * from the right (each proxy appends the address it was connected from), skipping trusted proxies, up to
 * the first address no trusted proxy vouches for. Null when the peer is not known (no stamp).
 */
export function clientAddress(headers: Headers, trusted: TrustedProxies): string | null {
  const peer = normalizeAddress(headers.get(PEER_HEADER));
  if (!peer || !trusted.has(peer)) return peer;
  const hops = splitList(headers.get('x-forwarded-for') ?? '');
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeAddress(hops[i]);
    if (!hop) break;
    client = hop;
    if (!trusted.has(hop)) break;
  }
  return client;
}

/** The host (and scheme, when a trusted proxy says) the client asked for: what its Origin must match. */
export function requestedHost(
  headers: Headers,
  trusted: TrustedProxies,
): { host: string | null; proto: string | null } {
  const peer = normalizeAddress(headers.get(PEER_HEADER));
  const first = (name: string) => splitList(headers.get(name) ?? '')[0]?.toLowerCase() ?? null;
  if (peer && trusted.has(peer)) {
    return { host: first('x-forwarded-host') ?? first('host'), proto: first('x-forwarded-proto') };
  }
  return { host: first('host'), proto: null };
}

type RequestStart = { request: { headers: Record<string, unknown> }; socket: { remoteAddress?: string } };
const g = globalThis as unknown as { __capstanPeerStamp?: boolean };

/**
 * Stamps the socket's address on every HTTP request this process serves, overwriting whatever the client
 * sent under that name. Node publishes `http.server.request.start` before the server's 'request' event,
 * so Next.js (and so every route handler) sees the stamp.
 */
export async function stampPeerAddresses(): Promise<void> {
  if (g.__capstanPeerStamp) return;
  g.__capstanPeerStamp = true;
  const { subscribe } = await import('node:diagnostics_channel');
  subscribe('http.server.request.start', (message) => {
    const { request, socket } = message as RequestStart;
    request.headers[PEER_HEADER] = socket.remoteAddress ?? '';
  });
}
