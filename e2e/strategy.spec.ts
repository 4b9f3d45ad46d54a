import { expect, test, type Page } from '@playwright/test';
import { ADMIN, findService, mutate, sampleSpec, signIn } from './fixtures';
import { shoot } from './screenshots';

test.describe.configure({ mode: 'serial' });

const DEPLOY_TIMEOUT = 120_000;
/** Created through the browser by the second test; the cleanup project deletes it. */
const SERVICE = 'rollout-tuned';
const REFUSED = 'rollout-refused';

const latestDeployment = (page: Page) => page.getByTestId('deployment-row').first();
/** The "Rollout" entry of the service page header. */
const headerRollout = (page: Page) => page.getByRole('definition').filter({ hasText: /^max surge/ });

test('a rollout that could never progress is refused beside its fields and creates nothing', async ({
  page,
}) => {
  await signIn(page, ADMIN);
  await page.goto('/services/new');
  await page.getByLabel('Name', { exact: true }).fill(REFUSED);

  // Collapsed by default, so the form stays short; the keyboard opens it.
  const toggle = page.getByRole('button', { name: /Rollout strategy/ });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByLabel('Max surge')).toHaveCount(0);
  await toggle.focus();
  await page.keyboard.press('Enter');
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');

  // The schema's defaults, each field explained.
  const surge = page.getByLabel('Max surge');
  const unavailable = page.getByLabel('Max unavailable');
  const deadline = page.getByLabel('Progress deadline (s)');
  await expect(surge).toHaveValue('1');
  await expect(unavailable).toHaveValue('0');
  await expect(page.getByLabel('Min ready (s)')).toHaveValue('0');
  await expect(deadline).toHaveValue('300');
  await expect(surge).toHaveAccessibleDescription(
    'Extra replicas started above the desired count during a rollout. Default 1.',
  );
  await expect(unavailable).toHaveAccessibleDescription(/0 = start-first/);

  await surge.fill('0');
  await deadline.fill('5');
  await page.getByRole('button', { name: 'Create and deploy' }).click();

  await expect(page.getByText('2 fields need a fix')).toBeVisible();
  for (const field of [surge, unavailable]) {
    await expect(field).toHaveAttribute('aria-invalid', 'true');
    await expect(field).toHaveAccessibleDescription(/Max surge and max unavailable cannot both be 0/);
  }
  await expect(page.getByText(/Max surge and max unavailable cannot both be 0/)).toBeVisible();
  await expect(deadline).toHaveAttribute('aria-invalid', 'true');
  await expect(deadline).toHaveAccessibleDescription(
    'Progress deadline must be a whole number of seconds, 10–3600',
  );
  await expect(page).toHaveURL(/\/services\/new$/);
  expect(await findService(page.request, REFUSED)).toBeUndefined();
  await shoot(page, 'rollout-strategy-refused');

  // The server refuses the same input on its own, naming the part of the input it is about.
  const res = await mutate(page.request, 'services.create', {
    name: REFUSED,
    spec: sampleSpec({ strategy: { maxSurge: 0, maxUnavailable: 0 } }),
  });
  expect(res.status).toBe(400);
  expect(res.error?.message).toBe('Max surge and max unavailable cannot both be 0');
  expect((res.error?.data as { zodIssues?: unknown } | undefined)?.zodIssues).toEqual([
    { path: ['spec', 'strategy'], message: 'Max surge and max unavailable cannot both be 0' },
  ]);
  expect(await findService(page.request, REFUSED)).toBeUndefined();
});

test('a service created with its own strategy shows it, and a deploy that changes it says how', async ({
  page,
}) => {
  await signIn(page, ADMIN);
  await page.goto('/services/new');
  await page.getByLabel('Name', { exact: true }).fill(SERVICE);
  await expect(page.getByLabel('Replicas', { exact: true })).toHaveValue('2');
  await page.getByRole('button', { name: /Rollout strategy/ }).click();
  await page.getByLabel('Max surge').fill('2');
  await page.getByLabel('Max unavailable').fill('0');
  await page.getByLabel('Min ready (s)').fill('1');
  await page.getByRole('button', { name: 'Create and deploy' }).click();

  await page.waitForURL(/\/services\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('service-name')).toHaveText(SERVICE);
  await expect(headerRollout(page)).toHaveText(
    'max surge 2 · max unavailable 0 · min ready 1 s · progress deadline 300 s',
  );
  await expect(latestDeployment(page)).toHaveAttribute('data-status', 'succeeded', {
    timeout: DEPLOY_TIMEOUT,
  });

  // The deploy form starts from the current revision's strategy.
  const form = page.getByRole('form', { name: 'Deploy a new revision' });
  await form.getByRole('button', { name: /Rollout strategy/ }).click();
  await expect(form.getByLabel('Max surge')).toHaveValue('2');
  await expect(form.getByLabel('Max unavailable')).toHaveValue('0');
  await expect(form.getByLabel('Min ready (s)')).toHaveValue('1');
  await expect(form.getByLabel('Progress deadline (s)')).toHaveValue('300');

  const changes = form.getByRole('region', { name: 'What this deploy changes from r1' });
  await expect(changes).toContainText('No visible change');

  await form.getByLabel('Tag').fill('v2');
  await form.getByLabel('Max surge').fill('3');
  await form.getByLabel('Max unavailable').fill('1');
  await expect(changes.getByRole('listitem')).toHaveText([
    'image capstan-sample:v1 → capstan-sample:v2',
    'max surge 2 → 3',
    'max unavailable 0 → 1',
  ]);
  await expect(
    form.getByText('Up to 1 old replica(s) may stop before their replacements are healthy.'),
  ).toBeVisible();
  await shoot(page, 'rollout-strategy-deploy');
  await form.getByRole('button', { name: 'Deploy' }).click();

  await expect(latestDeployment(page)).toContainText('r1 → r2');
  await expect(latestDeployment(page)).toHaveAttribute('data-status', 'succeeded', {
    timeout: DEPLOY_TIMEOUT,
  });
  await expect(
    page.locator('[data-testid="replica-row"][data-health="healthy"][data-revision="2"]'),
  ).toHaveCount(2, { timeout: DEPLOY_TIMEOUT });
  await expect(headerRollout(page)).toHaveText(
    'max surge 3 · max unavailable 1 · min ready 1 s · progress deadline 300 s',
  );
  await expect(page.getByTestId('revision-row-2')).toContainText('max surge 2 → 3; max unavailable 0 → 1');

  // Rolling back would restore r1's strategy, and its confirmation says so field by field.
  await page.getByTestId('revision-row-1').getByRole('button', { name: 'Roll back to this' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('listitem')).toHaveText([
    'image capstan-sample:v2 → capstan-sample:v1',
    'max surge 3 → 2',
    'max unavailable 1 → 0',
  ]);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
});
