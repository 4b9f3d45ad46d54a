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
  ],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
