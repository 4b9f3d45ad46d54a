import { expect, test } from '@playwright/test';
import { ADMIN, ensureService, mutate, sampleSpec, signIn, VIEWER, WEB } from './fixtures';

test('an admin adds a viewer, who can look at everything and change nothing', async ({
  page,
  browser,
  baseURL,
}) => {
  await signIn(page, ADMIN);
  const web = await ensureService(page.request, WEB);

  await page.goto('/users');
  await page.getByRole('button', { name: 'New user' }).click();
  const dialog = page.getByRole('dialog', { name: 'New user' });
  await dialog.getByLabel('Name').fill(VIEWER.name);
  await dialog.getByLabel('Email').fill(VIEWER.email);
  await dialog.getByLabel('Initial password').fill(VIEWER.password);
  await dialog.getByLabel('Role').selectOption('viewer');
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByTestId(`user-row-${VIEWER.email}`);
  await expect(row).toBeVisible();
  await expect(row.getByRole('combobox')).toHaveValue('viewer');

  const context = await browser.newContext({ baseURL });
  const viewer = await context.newPage();
  await viewer.goto('/login');
  await viewer.getByLabel('Email').fill(VIEWER.email);
  await viewer.getByLabel('Password').fill(VIEWER.password);
  await viewer.getByRole('button', { name: 'Sign in' }).click();
  await expect(viewer).toHaveURL(/\/$/);
  await expect(viewer.getByTestId('current-user')).toHaveText(VIEWER.email);

  // Sees the service; no way to create one, no admin pages in the navigation.
  await expect(viewer.getByTestId(`service-row-${WEB}`)).toBeVisible();
  await expect(viewer.getByRole('link', { name: /new service/i })).toHaveCount(0);
  await expect(
    viewer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }),
  ).toHaveCount(0);

  // The service page shows everything but offers no way to change it.
  await viewer.getByRole('link', { name: WEB, exact: true }).click();
  await expect(viewer.getByTestId('service-name')).toHaveText(WEB);
  await expect(viewer.getByTestId('deploy-locked')).toContainText(
    'Viewers can look but not change anything.',
  );
  await expect(viewer.getByRole('form', { name: 'Deploy a new revision' })).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: 'Deploy', exact: true })).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: 'Delete service' })).toBeDisabled();
  for (const button of await viewer
    .getByRole('button', { name: /Roll back|Restart|Deploy this|One replica (more|fewer)/ })
    .all()) {
    await expect(button).toBeDisabled();
  }
  await expect(viewer.getByLabel('Desired replicas')).toBeDisabled();
  await expect(viewer.getByRole('button', { name: 'Scale', exact: true })).toHaveCount(0);

  await viewer.goto('/services/new');
  await expect(viewer.getByText('You cannot create services')).toBeVisible();
  await expect(viewer.getByRole('form', { name: 'Create service' })).toHaveCount(0);
  await viewer.goto('/users');
  await expect(viewer.getByText('Admins only')).toBeVisible();

  // The server refuses too, whatever the UI shows.
  const res = await mutate(viewer.request, 'services.deploy', { serviceId: web.id, spec: sampleSpec() });
  expect(res.status).toBe(403);
  expect(res.error?.data?.code).toBe('FORBIDDEN');
  await context.close();
});
