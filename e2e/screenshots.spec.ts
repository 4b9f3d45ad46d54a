import { expect, test } from '@playwright/test';
import { ADMIN, ensureService, ensureViewer, mutate, signIn, VIEWER, WEB } from './fixtures';
import { shoot } from './screenshots';

// Not an assertion of looks: a record of every main page in both themes, for people to review.
test('every main page in light and dark mode', async ({ page, browser, baseURL }) => {
  test.setTimeout(300_000);
  await signIn(page, ADMIN);
  const web = await ensureService(page.request, WEB);
  await ensureService(page.request, 'checkout-api');
  await ensureViewer(page.request);
  await mutate(page.request, 'registries.save', {
    host: 'registry.example.com',
    username: 'ci-bot',
    password: 'e2e-token',
  });
  await page.setViewportSize({ width: 1440, height: 900 });

  await page.goto('/');
  await expect(page.getByTestId('service-row-checkout-api')).toBeVisible();
  await expect(page.getByTestId(`service-row-${WEB}`)).toBeVisible();
  await shoot(page, 'overview');

  await page.goto(`/services/${web.id}`);
  await expect(page.getByTestId('service-name')).toHaveText(WEB);
  await shoot(page, 'service');

  await page.getByRole('button', { name: 'Delete service' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await shoot(page, 'service-delete-dialog', { fullPage: false });
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toBeHidden();

  await page.goto('/services/new');
  await page.getByRole('button', { name: /Advanced: health check/ }).click();
  await page.getByRole('button', { name: 'Add variable' }).click();
  await shoot(page, 'service-new');
  await page.getByLabel('Name', { exact: true }).fill('Nope');
  await page.getByLabel('Port', { exact: true }).fill('70000');
  await page.getByRole('button', { name: 'Create and deploy' }).click();
  await expect(page.getByText('Port must be 1–65535')).toBeVisible();
  await shoot(page, 'service-new-errors');

  for (const [path, heading] of [
    ['/activity', 'Activity'],
    ['/audit', 'Audit log'],
    ['/users', 'Users'],
    ['/settings', 'Settings'],
  ] as const) {
    await page.goto(path);
    await expect(page.getByRole('heading', { name: heading, level: 1 })).toBeVisible();
    await shoot(page, path.slice(1));
  }

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/');
  await expect(page.getByTestId(`service-row-${WEB}`)).toBeVisible();
  await shoot(page, 'overview-mobile');

  const context = await browser.newContext({ baseURL, viewport: { width: 1440, height: 900 } });
  const anonymous = await context.newPage();
  await anonymous.goto('/login');
  await anonymous.getByLabel('Email').fill(ADMIN.email);
  await anonymous.getByLabel('Password').fill('wrong-password');
  await anonymous.getByRole('button', { name: 'Sign in' }).click();
  await expect(anonymous.getByText('Email or password is wrong.')).toBeVisible();
  await shoot(anonymous, 'login');

  await anonymous.getByLabel('Email').fill(VIEWER.email);
  await anonymous.getByLabel('Password').fill(VIEWER.password);
  await anonymous.getByRole('button', { name: 'Sign in' }).click();
  await expect(anonymous).toHaveURL(/\/$/);
  await anonymous.goto(`/services/${web.id}`);
  await expect(anonymous.getByTestId('deploy-locked')).toBeVisible();
  await shoot(anonymous, 'service-viewer');
  await context.close();
});
