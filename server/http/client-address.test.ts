import { describe, expect, it } from 'vitest';
import { originOf } from '@/server/api/trpc';
import {
  clientAddress,
  normalizeAddress,
  parseAddressRange,
  PEER_HEADER,
  TrustedProxies,
} from './client-address';

const headers = (peer: string | null, forwarded?: string) =>
  new Headers({
    ...(peer === null ? {} : { [PEER_HEADER]: peer }),
    ...(forwarded === undefined ? {} : { 'x-forwarded-for': forwarded }),
  });

describe('the client address', () => {
  const none = TrustedProxies.parse('');
  const proxies = TrustedProxies.parse('10.0.0.0/8, 192.0.2.7, fd00::/8');

  it('is the socket address when no proxy is trusted, whatever X-Forwarded-For and X-Real-IP say', () => {
    const h = headers('::ffff:203.0.113.4', '6.6.6.6');
    h.set('x-real-ip', '7.7.7.7');
    expect(clientAddress(h, none)).toBe('203.0.113.4');
    expect(originOf(h, none).ip).toBe('203.0.113.4');
  });

  it('is the socket address when the peer is not a trusted proxy', () => {
    expect(clientAddress(headers('203.0.113.4', '6.6.6.6'), proxies)).toBe('203.0.113.4');
  });

  it('is the first address from the right that no trusted proxy vouches for', () => {
    expect(clientAddress(headers('10.1.2.3', '198.51.100.1'), proxies)).toBe('198.51.100.1');
    // The client forged the leftmost entry; the trusted proxies appended the rest.
    expect(clientAddress(headers('10.1.2.3', '6.6.6.6, 198.51.100.1, 192.0.2.7'), proxies)).toBe(
      '198.51.100.1',
    );
    expect(clientAddress(headers('fd00::1', '[2001:db8::5]:4711'), proxies)).toBe('2001:db8::5');
    // A trusted proxy that forwards nothing, or garbage, is the client as far as anyone can tell.
    expect(clientAddress(headers('10.1.2.3'), proxies)).toBe('10.1.2.3');
    expect(clientAddress(headers('10.1.2.3', 'unknown'), proxies)).toBe('10.1.2.3');
  });

  it('is unknown without the stamp of the socket address', () => {
    expect(clientAddress(headers(null, '6.6.6.6'), proxies)).toBeNull();
  });

  it('parses addresses and ranges, and nothing else', () => {
    expect(parseAddressRange('10.0.0.0/8')).toEqual({ address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    expect(parseAddressRange('::1')).toEqual({ address: '::1', prefix: 128, family: 'ipv6' });
    for (const bad of ['10.0.0.0/33', 'proxy.local', '10.0.0.0/8/1', '', '::/129', '10.0.0.0/-1'])
      expect(parseAddressRange(bad), bad).toBeNull();
    expect(() => TrustedProxies.parse('10.0.0.1, nope')).toThrow(/"nope"/);
    expect(normalizeAddress('203.0.113.9:80')).toBe('203.0.113.9');
  });
});
