import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test as teardown } from '@playwright/test';
import { ADMIN, mutate, query } from './fixtures';

function containersOf(serviceId: string): string {
  return execFileSync('docker', ['ps', '-aq', '--filter', `label=capstan.service=${serviceId}`])
    .toString()
    .trim();
}

teardown('delete every service the specs created, through the UI', async ({ page }) => {
  const signedIn = await mutate(page.request, 'auth.signIn', {
    email: ADMIN.email,
    password: ADMIN.password,
  });
  teardown.skip(signedIn.status !== 200, 'first run never created the admin');

  const list = await query<{ services: { id: string; name: string }[] }>(page.request, 'services.list');
  const services = list.data?.services ?? [];
  for (const s of services) {
    await page.goto(`/services/${s.id}`);
    await page.getByRole('button', { name: 'Delete service' }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${s.name}?` });
    const confirm = dialog.getByRole('button', { name: 'Delete service' });
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel(`Type ${s.name} to confirm`).fill(s.name);
    await confirm.click();
    await expect(page).toHaveURL(/\/$/);
  }

  const after = await query<{ services: unknown[] }>(page.request, 'services.list');
  expect(after.data?.services).toEqual([]);
  for (const s of services) {
    await expect
      .poll(() => containersOf(s.id), { message: `containers of ${s.name}`, timeout: 30_000 })
      .toBe('');
  }
});

teardown('stop the HAProxy the run started: it outlives Capstan by design', () => {
  const pidFile = path.resolve('.capstan-build/e2e-data/haproxy/haproxy.pid');
  teardown.skip(!fs.existsSync(pidFile), 'no proxy was started');
  const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  if (pid > 0) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
});
