/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and engine packages stay as Node requires instead of being bundled.
  serverExternalPackages: [
    'dockerode',
    'ssh2',
    'cpu-features',
    '@electric-sql/pglite',
    '@node-rs/argon2',
    'pg',
    'rate-limiter-flexible',
  ],
  poweredByHeader: false,
  reactStrictMode: true,
  // Pages get their Content-Security-Policy, with a nonce, from proxy.ts.
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
          { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
        ],
      },
      {
        source: '/api/:path*',
        headers: [{ key: 'Content-Security-Policy', value: "default-src 'none'; frame-ancestors 'none'" }],
      },
    ];
  },
};

export default nextConfig;
