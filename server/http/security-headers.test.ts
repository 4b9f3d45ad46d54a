import type { NextConfig } from 'next';
import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { proxy } from '@/proxy';

describe('security headers', () => {
  it('gives every page a CSP with a fresh nonce, passed on to the render, and no framing', () => {
    const csp = (res: Response) => res.headers.get('content-security-policy') ?? '';
    const first = proxy(new NextRequest('http://capstan.test/services'));
    const second = proxy(new NextRequest('http://capstan.test/services'));
    const nonce = /'nonce-([^']+)'/.exec(csp(first))?.[1];
    expect(nonce).toBeTruthy();
    expect(csp(second)).not.toContain(nonce);
    expect(csp(first)).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic';/);
    expect(csp(first)).toContain("frame-ancestors 'none'");
    expect(csp(first)).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
    // Next.js reads the request's CSP header for the nonce it puts on its scripts.
    expect(first.headers.get('x-middleware-request-content-security-policy')).toBe(csp(first));
    expect(first.headers.get('x-middleware-request-x-nonce')).toBe(nonce);
  });

  it('sends nosniff, a referrer policy and no framing on every path, and a closed CSP on the API', async () => {
    // next.config.js is plain JavaScript: imported by a path TypeScript does not follow.
    const config = '../../next.config.js';
    const { default: nextConfig } = (await import(/* @vite-ignore */ config)) as { default: NextConfig };
    const rules = await nextConfig.headers!();
    const all = Object.fromEntries(
      rules.find((r) => r.source === '/:path*')!.headers.map((h) => [h.key, h.value]),
    );
    expect(all).toMatchObject({
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
      'X-Frame-Options': 'DENY',
    });
    const api = rules.find((r) => r.source === '/api/:path*')!.headers;
    expect(api).toContainEqual({
      key: 'Content-Security-Policy',
      value: "default-src 'none'; frame-ancestors 'none'",
    });
  });
});
