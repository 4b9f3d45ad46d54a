import { expect, test } from '@playwright/test';
import { ADMIN, findService, signIn, WEB } from './fixtures';
import { shoot } from './screenshots';

test('reads, searches and downloads the logs of a service', async ({ page }) => {
  await signIn(page, ADMIN);
  const web = await findService(page.request, WEB);
  expect(web, 'the deploy specs create the service').toBeTruthy();
  await page.goto(`/services/${web!.id}`);
  await page.getByTestId('service-logs-link').click();

  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Logs');
  const lines = page.getByTestId('log-line');
  await expect(lines.filter({ hasText: 'listening on :8080' }).first()).toBeVisible();

  await page.getByLabel('Search').fill('no-such-text-in-any-line');
  await expect(page.getByText('No line matches')).toBeVisible();
  await page.getByLabel('Search').fill('listening');
  await expect(lines.first()).toContainText('listening');
  await shoot(page, 'service-logs');

  const href = await page.getByRole('link', { name: 'Download' }).getAttribute('href');
  const res = await page.request.get(href!);
  expect(res.status()).toBe(200);
  expect(res.headers()['content-disposition']).toMatch(/attachment; filename="capstan-.*\.log"/);
  expect(await res.text()).toMatch(/ r\d+-\d (stdout|stderr) .*listening on :8080/);
});

test('a signed-out download is refused', async ({ request }) => {
  const res = await request.get('/api/services/00000000-0000-4000-8000-000000000000/logs');
  expect(res.status()).toBe(401);
});
