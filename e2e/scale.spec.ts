import { execFileSync } from 'node:child_process';
import { expect, test, type Page } from '@playwright/test';
import { ADMIN, ensureService, signIn } from './fixtures';
import { shoot } from './screenshots';

test.describe.configure({ mode: 'serial' });

const SERVICE = 'scale-demo';
const TIMEOUT = 120_000;

const rows = (page: Page) => page.getByTestId('replica-row');
const healthyRows = (page: Page) => page.locator('[data-testid="replica-row"][data-health="healthy"]');
const containerIds = async (page: Page) =>
  (await rows(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-container-id')))).filter(
    (id): id is string => id !== null,
  );

/** Marks the document, so a later check proves the page was never reloaded. */
async function markDocument(page: Page) {
  await page.evaluate(() => Object.assign(window, { __capstanNoReload: true }));
}
async function expectSameDocument(page: Page) {
  expect(await page.evaluate(() => '__capstanNoReload' in window)).toBe(true);
}

test('scales from the service page and restarts one replica, watching replicas come and go live', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await signIn(page, ADMIN);
  const service = await ensureService(page.request, SERVICE);
  await page.goto(`/services/${service.id}`);
  await expect(page.getByTestId('service-name')).toHaveText(SERVICE);
  await markDocument(page);

  await expect(healthyRows(page)).toHaveCount(1, { timeout: TIMEOUT });
  const [first] = await containerIds(page);
  expect(first).toBeTruthy();
  const revisions = await page.locator('[data-testid^="revision-row-"]').count();

  // 1 → 3 with the stepper: nothing changes until the person confirms.
  const scale = page.getByRole('form', { name: `Scale ${SERVICE}` });
  const count = scale.getByLabel('Desired replicas');
  await expect(count).toHaveValue('1');
  await scale.getByRole('button', { name: 'One replica more' }).click();
  await scale.getByRole('button', { name: 'One replica more' }).click();
  await expect(count).toHaveValue('3');
  await scale.getByRole('button', { name: 'Scale', exact: true }).click();
  const up = page.getByRole('dialog', { name: `Scale ${SERVICE} from 1 to 3 replicas?` });
  await expect(up).toBeVisible();
  await up.getByLabel('Reason').fill('e2e: more capacity');
  await up.getByRole('button', { name: 'Scale', exact: true }).click();
  await expect(up).toBeHidden();

  await expect(rows(page)).toHaveCount(3, { timeout: TIMEOUT });
  await expect(healthyRows(page)).toHaveCount(3, { timeout: TIMEOUT });
  // The running replica was not touched and no revision was made.
  expect(await containerIds(page)).toContain(first);
  await expect(page.locator('[data-testid^="revision-row-"]')).toHaveCount(revisions);
  await expect(count).toHaveValue('3');

  // 3 → 1 by typing the number and pressing Enter.
  await count.fill('1');
  await count.press('Enter');
  const down = page.getByRole('dialog', { name: `Scale ${SERVICE} from 3 to 1 replica?` });
  await expect(down).toBeVisible();
  await down.getByRole('button', { name: 'Scale', exact: true }).click();
  await expect(down).toBeHidden();
  await expect(rows(page)).toHaveCount(1, { timeout: TIMEOUT });
  await expect(healthyRows(page)).toHaveCount(1, { timeout: TIMEOUT });
  expect(await containerIds(page)).toEqual([first]);

  // One replica restarted from its row: a new container takes its place and becomes healthy.
  const row = rows(page).first();
  await row.getByRole('button', { name: /Restart/ }).click();
  const restart = page.getByRole('dialog', { name: /^Restart .+\?$/ });
  await expect(restart).toBeVisible();
  await restart.getByLabel('Reason').fill('e2e: restart one');
  await restart.getByRole('button', { name: 'Restart replica' }).click();
  await expect(restart).toBeHidden();
  await expect(page.locator(`[data-container-id="${first}"]`)).toHaveCount(0, { timeout: TIMEOUT });
  await expect(healthyRows(page)).toHaveCount(1, { timeout: TIMEOUT });
  const [replacement] = await containerIds(page);
  expect(replacement).toBeTruthy();
  expect(replacement).not.toBe(first);
  await expectSameDocument(page);
});

test('a change of limits alone is applied live: the same container, new limits, no restart', async ({
  page,
}) => {
  await signIn(page, ADMIN);
  const service = await ensureService(page.request, SERVICE);
  await page.goto(`/services/${service.id}`);
  await expect(healthyRows(page)).toHaveCount(1, { timeout: TIMEOUT });
  const [before] = await containerIds(page);

  const form = page.getByRole('form', { name: 'Deploy a new revision' });
  await expect(form.getByTestId('deploy-keeps-replicas')).toContainText('current replica count (1)');
  await form.getByRole('button', { name: /Resources/ }).click();
  await form.getByLabel('CPU limit (CPUs)').fill('0.5');
  await form.getByLabel('Memory limit (MiB)').fill('128');
  await expect(
    form.getByRole('region', { name: /What this deploy changes/ }).getByRole('listitem'),
  ).toHaveText(['CPU limit none → 0.5 CPU', 'memory limit none → 128 MiB']);
  await expect(form.getByTestId('deploy-how')).toHaveText(
    'Only limits change: they are applied live to the running replicas, without a restart.',
  );
  await form.getByRole('button', { name: 'Deploy' }).click();

  const deployment = page.getByTestId('deployment-row').first();
  await expect(deployment).toContainText('→ r2');
  await expect(deployment).toHaveAttribute('data-status', 'succeeded', { timeout: TIMEOUT });
  expect(await containerIds(page)).toEqual([before]);
  const limits = execFileSync('docker', [
    'inspect',
    '-f',
    '{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}}',
    before!,
  ])
    .toString()
    .trim();
  expect(limits).toBe(`${0.5e9} ${128 * 1024 * 1024}`);
});

test('scaling to zero warns about the endpoint first, then says so plainly', async ({ page }) => {
  await signIn(page, ADMIN);
  const service = await ensureService(page.request, SERVICE);
  await page.goto(`/services/${service.id}`);
  await expect(healthyRows(page)).toHaveCount(1, { timeout: TIMEOUT });
  const endpoint = await page.getByTestId('service-endpoint').getAttribute('href');

  // On a phone, in either theme: the stepper, the restart buttons and the replica table fit.
  await page.setViewportSize({ width: 390, height: 844 });
  await expectNoSidewaysScroll(page);
  await shoot(page, 'service-scale-mobile');

  const scale = page.getByRole('form', { name: `Scale ${SERVICE}` });
  await scale.getByRole('button', { name: 'One replica fewer' }).click();
  await scale.getByRole('button', { name: 'Scale', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Scale ${SERVICE} from 1 to 0 replicas?` });
  await expect(dialog.getByRole('alert')).toContainText('The endpoint will answer 503');
  await shoot(page, 'service-scale-to-zero-dialog', { fullPage: false });
  await dialog.getByRole('button', { name: 'Scale to zero' }).click();
  await expect(dialog).toBeHidden();

  await expect(rows(page)).toHaveCount(0, { timeout: TIMEOUT });
  await expect(page.getByTestId('scaled-to-zero')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 }).locator('[data-status="scaled-to-zero"]')).toHaveText(
    'Scaled to zero',
  );
  await expect(page.getByRole('button', { name: 'Restart', exact: true }).first()).toBeDisabled();
  if (endpoint) {
    await expect
      .poll(async () => (await page.request.get(endpoint).catch(() => null))?.status(), { timeout: TIMEOUT })
      .toBe(503);
  }
  await expectNoSidewaysScroll(page);
  await shoot(page, 'service-scaled-to-zero-mobile');
});

async function expectNoSidewaysScroll(page: Page) {
  await expect(page.getByTestId('service-name')).toBeVisible();
  expect(
    await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth),
  ).toBeLessThanOrEqual(0);
}
