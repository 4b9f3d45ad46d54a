import { expect, test, type Page } from '@playwright/test';
import { ADMIN, findService, signIn, WEB } from './fixtures';
import { shoot } from './screenshots';

test.describe.configure({ mode: 'serial' });

const DEPLOY_TIMEOUT = 120_000;

/** Marks the document, so a later check proves the page was never reloaded. */
async function markDocument(page: Page) {
  await page.evaluate(() => Object.assign(window, { __capstanNoReload: true }));
}
async function expectSameDocument(page: Page) {
  expect(await page.evaluate(() => '__capstanNoReload' in window)).toBe(true);
}

const latestDeployment = (page: Page) => page.getByTestId('deployment-row').first();
const healthyReplicas = (page: Page, revision: number) =>
  page.locator(`[data-testid="replica-row"][data-health="healthy"][data-revision="${revision}"]`);

test('creates and deploys a service; replicas turn healthy without a reload', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto('/services/new');

  // The form starts from a working example.
  await expect(page.getByLabel('Image', { exact: true })).toHaveValue('capstan-sample');
  await expect(page.getByLabel('Tag', { exact: true })).toHaveValue('v1');
  await expect(page.getByLabel('Port', { exact: true })).toHaveValue('8080');
  await expect(page.getByLabel('Replicas', { exact: true })).toHaveValue('2');
  await expect(page.getByLabel('Deploy now')).toBeChecked();

  await page.getByLabel('Name', { exact: true }).fill(WEB);
  await page.getByLabel('Description').fill('Storefront web tier');
  await page.getByRole('button', { name: 'Create and deploy' }).click();

  await page.waitForURL(/\/services\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('service-name')).toHaveText(WEB);
  await markDocument(page);

  await expect(healthyReplicas(page, 1)).toHaveCount(2, { timeout: DEPLOY_TIMEOUT });
  await expect(latestDeployment(page)).toHaveAttribute('data-status', 'succeeded', {
    timeout: DEPLOY_TIMEOUT,
  });
  await expect(page.getByRole('heading', { level: 1 }).locator('[data-status="healthy"]')).toBeVisible();
  await expect(page.getByTestId('event').filter({ hasText: 'Revision 1 is live' })).toBeVisible();
  await expectSameDocument(page);

  // The service's stable endpoint answers through the proxy, from the replicas just deployed.
  const endpoint = await page.getByTestId('service-endpoint').getAttribute('href');
  expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  await expect
    .poll(async () => (await page.request.get(endpoint!).catch(() => null))?.status(), {
      timeout: DEPLOY_TIMEOUT,
    })
    .toBe(200);
  expect(await (await page.request.get(endpoint!)).json()).toMatchObject({ version: 'v1' });

  // The overview agrees.
  await page.getByRole('link', { name: 'Overview' }).first().click();
  const row = page.getByTestId(`service-row-${WEB}`);
  await expect(row.locator('[data-status="healthy"]')).toBeVisible();
  await expect(row).toContainText('capstan-sample:v1');
  await expect(page.getByTestId('summary-healthy')).toContainText('1');
});

test('deploys a new tag with a secret, refuses a second deploy meanwhile, and rolls back', async ({
  page,
}) => {
  await signIn(page, ADMIN);
  const web = await findService(page.request, WEB);
  expect(web, 'the first test creates the service').toBeTruthy();
  await page.goto(`/services/${web!.id}`);
  await markDocument(page);

  const form = page.getByRole('form', { name: 'Deploy a new revision' });
  await form.getByLabel('Tag').fill('v2');
  // A slow start keeps the deployment busy long enough to try a second one.
  await form.getByRole('button', { name: 'Add variable' }).click();
  await form.getByLabel('Name of variable 1').fill('START_DELAY_SECONDS');
  await form.getByLabel('Value of START_DELAY_SECONDS').fill('3');
  await form.getByRole('button', { name: 'Add variable' }).click();
  await form.getByLabel('Name of variable 2').fill('API_TOKEN');
  await form.getByLabel('API_TOKEN is secret').check();
  await form.getByLabel('Value of API_TOKEN').fill('s3cret-value-e2e');
  await form.getByRole('button', { name: 'Deploy' }).click();

  await expect(form.getByText('Revision 2 is deploying.')).toBeVisible();
  await expect(page.getByTestId('deployment-progress')).toBeVisible();
  await expect(form.getByText('•••• (kept)')).toBeVisible();

  await form.getByRole('button', { name: 'Deploy' }).click();
  await expect(form.getByText(`${WEB} is already deploying revision 2`)).toBeVisible();

  await expect(healthyReplicas(page, 2)).toHaveCount(2, { timeout: DEPLOY_TIMEOUT });
  await expect(latestDeployment(page)).toHaveAttribute('data-status', 'succeeded', {
    timeout: DEPLOY_TIMEOUT,
  });
  await expect(page.getByTestId('deployment-progress')).toBeHidden();
  await expect(page.locator('body')).not.toContainText('s3cret-value-e2e');

  await page.getByTestId('revision-row-1').getByRole('button', { name: 'Roll back to this' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('redeploy-changes')).toContainText(
    'image capstan-sample:v2 → capstan-sample:v1',
  );
  await expect(dialog.getByTestId('redeploy-changes')).toContainText('env API_TOKEN removed');
  await dialog.getByLabel('Reason').fill('e2e: back to v1');
  await dialog.getByRole('button', { name: 'Roll back to this' }).click();
  await expect(dialog).toBeHidden();

  await expect(latestDeployment(page)).toContainText('r2 → r1');
  await expect(latestDeployment(page)).toHaveAttribute('data-status', 'succeeded', {
    timeout: DEPLOY_TIMEOUT,
  });
  await expect(healthyReplicas(page, 1)).toHaveCount(2, { timeout: DEPLOY_TIMEOUT });
  await expectSameDocument(page);
});

test('a crashing revision fails with its evidence and the service keeps serving', async ({ page }) => {
  await signIn(page, ADMIN);
  const web = await findService(page.request, WEB);
  await page.goto(`/services/${web!.id}`);

  const form = page.getByRole('form', { name: 'Deploy a new revision' });
  await form.getByLabel('Tag').fill('v3');
  await form.getByRole('button', { name: 'Add variable' }).click();
  const n = await form.getByTestId('env-row').count();
  await form.getByLabel(`Name of variable ${n}`).fill('CRASH_ON_START');
  await form.getByLabel('Value of CRASH_ON_START').fill('1');
  await form.getByLabel('Reason').fill('e2e: a release that crashes');
  await form.getByRole('button', { name: 'Deploy' }).click();

  await expect(latestDeployment(page)).toHaveAttribute('data-status', 'failed', { timeout: DEPLOY_TIMEOUT });
  const evidence = page.getByText(/Why r\d+ failed/).first();
  await expect(evidence).toBeVisible();
  await expect(latestDeployment(page)).toContainText(/replica \d+ crashed/);
  await expect(page.getByText('Exit code', { exact: true }).first()).toBeVisible();
  await expect(page.getByText('Last log lines').first()).toBeVisible();
  await expect(page.locator('pre').first()).not.toBeEmpty();
  await expect(form.getByText(/The service is now at revision 1/)).toBeVisible();

  // The revision that was live before keeps its replicas.
  await expect(healthyReplicas(page, 1)).toHaveCount(2, { timeout: DEPLOY_TIMEOUT });

  // The deployment page tells the whole story: the failure, its evidence and every recorded step.
  await latestDeployment(page).getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('failed');
  await expect(page.getByText(/replica \d+ crashed/).first()).toBeVisible();
  await expect(page.getByTestId('deployment-step').filter({ hasText: 'started' }).first()).toBeVisible();
  await expect(page.locator('[data-testid="deployment-step"][data-kind="deployment.failed"]')).toContainText(
    'Returned to revision 1',
  );
  await shoot(page, 'deployment-failed');
});
