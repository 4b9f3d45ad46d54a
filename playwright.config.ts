import fs from 'node:fs';
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { CHROMIUM } from './e2e/chromium';

const PORT = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${PORT}`;
const dataDir = path.resolve('.capstan-build/e2e-data');
const built = fs.existsSync(path.resolve('.next/BUILD_ID'));

// Playwright starts the webServer before globalSetup runs, so the fresh data directory is made by the
// server command itself: wiping it in globalSetup would pull the database out from under a live server.
const pidFile = path.join(dataDir, 'haproxy', 'haproxy.pid');
const command = [
  // HAProxy outlives Capstan by design; the previous run's must not outlive its data directory.
  `{ [ -f '${pidFile}' ] && kill "$(cat '${pidFile}')" 2>/dev/null; true; }`,
  `rm -rf '${dataDir}'`,
  `mkdir -p '${dataDir}'`,
  ...(built ? [] : ['npx next build']),
  `npx next start -p ${PORT}`,
].join(' && ');

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  forbidOnly: !!process.env.CI,
  // Deploys start real containers and wait for their health checks.
  timeout: 180_000,
  expect: { timeout: 20_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : [['list']],
  use: {
    baseURL,
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: CHROMIUM,
  },
  projects: [
    // First run must happen before anything else: it creates the admin every other spec signs in as.
    { name: 'first-run', testMatch: /first-run\.spec\.ts/, teardown: 'cleanup' },
    {
      name: 'console',
      testMatch: /\.spec\.ts$/,
      testIgnore: /first-run\.spec\.ts/,
      dependencies: ['first-run'],
    },
    // Deletes what the specs created, containers included, even when a spec failed.
    { name: 'cleanup', testMatch: /cleanup\.teardown\.ts/ },
  ],
  webServer: {
    command,
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: built ? 90_000 : 600_000,
    env: {
      CAPSTAN_DATA_DIR: dataDir,
      CAPSTAN_PROBE_INTERVAL_MS: '500',
      CAPSTAN_RECONCILE_INTERVAL_MS: '1000',
      // Metrics every second, so charts, sparklines and uptime have data within a spec.
      CAPSTAN_COLLECT_INTERVAL_MS: '1000',
    },
    gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
