import { expect, test } from '@playwright/test';
import { ADMIN, ensureService, findService, mutate, sampleSpec, signIn, WEB } from './fixtures';

test('bad input gets a readable error next to the field and creates nothing', async ({ page }) => {
  await signIn(page, ADMIN);
  await ensureService(page.request, WEB);
  await page.goto('/services/new');

  const name = page.getByLabel('Name', { exact: true });
  const port = page.getByLabel('Port', { exact: true });
  await name.fill('Bad Name!');
  await port.fill('70000');
  await page.getByRole('button', { name: 'Create and deploy' }).click();

  await expect(page.getByText('2 fields need a fix')).toBeVisible();
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(
    page.getByText('Use lowercase letters, digits and dashes, starting with a letter'),
  ).toBeVisible();
  await expect(port).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Port must be 1–65535')).toBeVisible();
  await expect(page).toHaveURL(/\/services\/new$/);

  // The server's own refusal (the name is taken) reads plainly too.
  await name.fill(WEB);
  await port.fill('8080');
  await page.getByRole('button', { name: 'Create and deploy' }).click();
  await expect(page.getByText(`A service named ${WEB} exists already.`)).toBeVisible();
  await expect(page).toHaveURL(/\/services\/new$/);
});

test('the API answers bad input with a typed, readable error and no stack', async ({ page }) => {
  await signIn(page, ADMIN);
  const res = await mutate(page.request, 'services.create', {
    name: 'port-too-high',
    spec: sampleSpec({ port: 70000 }),
  });
  expect(res.status).toBe(400);
  expect(res.error?.message).toBe('Port must be 1–65535');
  expect(res.error?.data?.code).toBe('BAD_REQUEST');
  expect(JSON.stringify(res.error)).not.toMatch(/\bat .+\.(js|ts):\d+/);
  expect(await findService(page.request, 'port-too-high')).toBeUndefined();
});
