import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { ADMIN, ensureService, query, sampleSpec, signIn } from './fixtures';

/** A service of its own; its replicas take 3 s to become healthy, so an outage is wide enough to see. */
const NAME = 'incident-demo';
const TIMEOUT = 60_000;

test('a replica killed from outside turns its overview tile red, then Capstan replaces it — no reload', async ({
  page,
}) => {
  await signIn(page, ADMIN);
  const service = await ensureService(
    page.request,
    NAME,
    sampleSpec({ env: [{ name: 'START_DELAY_SECONDS', value: '3', secret: false }] }),
  );
  await page.goto('/');
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
  const row = page.getByTestId(`service-row-${NAME}`);
  await expect(row.locator('[data-status="healthy"]')).toBeVisible({ timeout: TIMEOUT });

  const detail = await query<{ replicas: { id: string; state: string }[] }>(page.request, 'services.get', {
    serviceId: service.id,
  });
  const victim = detail.data!.replicas.find((r) => r.state === 'running')!;
  // SIGTERM: the sample exits 0, so Docker's on-failure policy leaves it down; only Capstan brings it back.
  execFileSync('docker', ['kill', '--signal', 'TERM', victim.id]);

  await expect(row.locator('[data-status="down"]')).toBeVisible({ timeout: 10_000 });
  await expect(row.locator('[data-status="healthy"]')).toBeVisible({ timeout: TIMEOUT });
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);

  const after = await query<{ replicas: { id: string }[] }>(page.request, 'services.get', {
    serviceId: service.id,
  });
  expect(after.data!.replicas.map((r) => r.id)).not.toContain(victim.id);
  const events = await query<{ kind: string }[]>(page.request, 'activity.events', { serviceId: service.id });
  expect(events.data!.map((e) => e.kind)).toEqual(
    expect.arrayContaining(['container.die', 'replica.replaced']),
  );
});
