import { expect, test } from '@playwright/test';
import { ADMIN, query, signIn } from './fixtures';

test('console pages run under a nonce CSP, with no violation, and cannot be framed', async ({ page }) => {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  const errors: string[] = [];
  page.on('console', (m) => {
    // There is no favicon: the browser's request for one is not the page's doing.
    if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) errors.push(m.text());
  });
  await page.emulateMedia({ colorScheme: 'dark' });
  const login = await page.goto('/login');
  const headers = login!.headers();
  expect(headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('same-origin');
  // The inline theme script ran (it carries the nonce): dark before any React code.
  await expect(page.locator('html')).toHaveClass(/\bdark\b/);

  // Signing in through the form, and pages with charts and forms: scripts, styles and fetches all allowed.
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/$/);
  for (const path of ['/', '/settings', '/kpis', '/audit']) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
  }
  expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual(
    [],
  );
  // Nor any other complaint (a nonce that did not hydrate, a refused script).
  expect(errors).toEqual([]);
});

test('a mutation from another site is refused; the console and programs get through', async ({ page }) => {
  await signIn(page, ADMIN);
  const api = page.request;
  const evil = await api.post('/api/trpc/auth.signOut', {
    headers: { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
    data: { json: null },
  });
  expect(evil.status()).toBe(403);
  const form = await api.post('/api/trpc/auth.signOut', { multipart: { x: 'y' } });
  expect(form.status()).toBe(415);
  const batch = await api.post('/api/trpc/auth.signIn,auth.signIn?batch=1', {
    data: { 0: { json: ADMIN }, 1: { json: ADMIN } },
  });
  expect(batch.status()).toBe(400);
  // Still signed in: the fixtures' API calls (no Origin) are what a CLI sends.
  const status = await query<{ user: { email: string } | null }>(api, 'auth.status');
  expect(status.data?.user?.email).toBe(ADMIN.email);
});

test('the audit log records the socket address, not a forged X-Forwarded-For', async ({ page }) => {
  const api = page.request;
  const res = await api.post('/api/trpc/auth.signIn', {
    headers: { 'x-forwarded-for': '6.6.6.6', 'x-real-ip': '6.6.6.7' },
    data: { json: { email: ADMIN.email, password: ADMIN.password } },
  });
  expect(res.status()).toBe(200);
  const audit = await query<{ action: string; ip: string | null }[]>(api, 'activity.audit', { limit: 20 });
  const signInRow = audit.data?.find((r) => r.action === 'auth.signIn');
  expect(signInRow?.ip).toBe('127.0.0.1');
});

test('metrics want the token shown in Settings; anonymous health tells the status only', async ({
  page,
  playwright,
}) => {
  const anonymous = await playwright.request.newContext({ baseURL: test.info().project.use.baseURL });
  expect((await anonymous.get('/api/metrics')).status()).toBe(401);
  expect(await (await anonymous.get('/api/health')).json()).toEqual({ status: 'ok' });

  await signIn(page, ADMIN);
  await page.goto('/settings');
  await page.getByRole('button', { name: 'Show' }).click();
  const token = (await page.getByTestId('metrics-token').textContent())!.trim();
  const scraped = await anonymous.get('/api/metrics', { headers: { authorization: `Bearer ${token}` } });
  expect(scraped.status()).toBe(200);
  expect(await scraped.text()).toMatch(/^capstan_process_cpu_seconds_total /m);
  const detailed = await (await page.request.get('/api/health')).json();
  expect(detailed).toMatchObject({ status: 'ok', docker: { ok: true } });
  await anonymous.dispose();
});
