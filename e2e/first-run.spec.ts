import { expect, test } from '@playwright/test';
import { ADMIN } from './fixtures';
import { shoot } from './screenshots';

test('the first admin creates the account and lands on the empty overview', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/setup$/);
  await page.goto('/login');
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole('heading', { name: 'Welcome to Capstan' })).toBeVisible();
  await shoot(page, 'setup');

  await page.getByLabel('Your name').fill(ADMIN.name);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByLabel('Confirm password').fill(`${ADMIN.password}-typo`);
  await page.getByRole('button', { name: 'Create admin account' }).click();
  await expect(page.getByText('Passwords do not match.')).toBeVisible();

  await page.getByLabel('Confirm password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Create admin account' }).click();

  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { name: 'Deploy your first service' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Deploy your first service' })).toHaveAttribute(
    'href',
    '/services/new',
  );
  await expect(page.getByTestId('current-user')).toHaveText(ADMIN.email);
  await expect(page.locator('[data-live="pending"]').first()).toBeVisible();
  await shoot(page, 'overview-empty');

  // Set up once: the first-run page is closed for good.
  await page.goto('/setup');
  await expect(page).toHaveURL(/\/$/);
});
