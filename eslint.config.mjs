import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

const restrict = (groups, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: groups, message, allowTypeImports: true }] }],
});
const DATA = ['drizzle-orm', 'drizzle-orm/*', 'dockerode', '@/db/client', '@/db/migrate'];

/** The layers of ../shared/STYLE.md: data flows route → router → service → (db | docker | proxy). */
const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [
      '.next/**',
      'node_modules/**',
      'data/**',
      '.capstan-build/**',
      'db/migrations/**',
      'next-env.d.ts',
      'test-results/**',
      'playwright-report/**',
    ],
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['server/services/**', 'server/engine/**', 'server/proxy/**', 'db/**'],
    rules: restrict(['dockerode'], 'Only server/docker talks to the Docker engine.'),
  },
  {
    files: ['server/api/**', 'app/**', 'components/**'],
    ignores: ['**/*.test.ts'],
    rules: restrict(DATA, 'Routes, components and routers go through server/services.'),
  },
  {
    files: ['components/**', 'app/**/client.tsx'],
    rules: restrict(
      [
        ...DATA,
        '@/server/services/*/*',
        '!@/server/services/*/schema',
        '!@/server/services/*/spec-diff',
        '@/server/runtime',
        '@/server/engine/**',
        '@/server/docker/**',
      ],
      'Client code imports only schemas, the pure spec diff and types from the server.',
    ),
  },
  {
    // Services are called by routers and loops, never the other way round, and know nothing of tRPC.
    files: ['server/services/**'],
    ignores: ['**/*.test.ts'],
    rules: restrict(
      ['@/server/api/**', '@/server/engine/**', '@/server/runtime', '@trpc/*'],
      'Services know nothing of the API or the control loops: they throw domain errors.',
    ),
  },
  {
    // The loops act through service verbs (audited, explained), not on the database directly.
    files: ['server/engine/**'],
    ignores: ['**/*.test.ts'],
    rules: restrict(['drizzle-orm', 'drizzle-orm/*', '@/db/client'], 'Loops go through server/services.'),
  },
  {
    // Adapters are the bottom layer: they call nothing above them.
    files: ['server/docker/**', 'server/proxy/**'],
    rules: restrict(
      ['@/server/services/**', '@/server/engine/**', '@/server/api/**'],
      'server/docker and server/proxy are adapters: nothing above them is imported.',
    ),
  },
];

export default config;
