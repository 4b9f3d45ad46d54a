import { expect, test } from '@playwright/test';
import { ADMIN, signIn } from './fixtures';

test('signing out, a wrong password, and signing in again', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto('/');
  await expect(page.getByTestId('current-user')).toHaveText(ADMIN.email);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);

  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('Email or password is wrong.')).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);

  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('current-user')).toHaveText(ADMIN.email);

  // Signed in, the sign-in page sends you on.
  await page.goto('/login');
  await expect(page).toHaveURL(/\/$/);
});

test('a deep link survives signing in', async ({ page }) => {
  await page.goto('/activity');
  await expect(page).toHaveURL(/\/login\?next=%2Factivity$/);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/activity$/);
  await expect(page.getByRole('heading', { name: 'Activity', level: 1 })).toBeVisible();
});

test('the theme choice is saved and applied before paint', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/');
  await page.getByRole('button', { name: 'Dark' }).click();
  await expect(page.locator('html')).toHaveClass(/\bdark\b/);
  expect(await page.evaluate(() => localStorage.getItem('capstan-theme'))).toBe('dark');
  await page.reload();
  await expect(page.locator('html')).toHaveClass(/\bdark\b/);
  await page.getByRole('button', { name: 'System' }).click();
  await expect(page.locator('html')).not.toHaveClass(/\bdark\b/);
  expect(await page.evaluate(() => localStorage.getItem('capstan-theme'))).toBeNull();
});

test('console pages arrive rendered by the server, with their data', async ({ page }) => {
  await signIn(page, ADMIN);
  for (const [path, title] of [
    ['/', 'Overview'],
    ['/activity', 'Activity'],
    ['/audit', 'Audit log'],
    ['/uptime', 'Uptime'],
  ] as const) {
    const html = await (await page.request.get(path)).text();
    // A boundary whose server render failed is sent empty, marked with the error's digest.
    expect(html, path).not.toContain('data-dgst');
    expect(html, path).toMatch(new RegExp(`<h1[^>]*>${title}`));
  }
});
