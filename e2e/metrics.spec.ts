import { expect, test, type Locator, type Page } from '@playwright/test';
import { ADMIN, ensureService, signIn } from './fixtures';
import { shoot } from './screenshots';

test.describe.configure({ mode: 'serial' });

/** A service of its own, so these checks do not depend on what the deploy spec left behind. */
const NAME = 'metrics-demo';
const DATA_TIMEOUT = 90_000;

const points = async (chart: Locator) => Number((await chart.getAttribute('data-points')) ?? '0');

async function reloadUntil(page: Page, check: () => Promise<boolean>) {
  await expect
    .poll(
      async () => {
        if (await check()) return true;
        await page.reload();
        return check();
      },
      { timeout: DATA_TIMEOUT, intervals: [2_000] },
    )
    .toBe(true);
}

test('resource charts fill in live on the service page', async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page, ADMIN);
  const service = await ensureService(page.request, NAME);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`/services/${service.id}`);

  const card = page.getByTestId('resource-charts');
  await expect(card.getByRole('button', { name: '15m' })).toHaveAttribute('aria-pressed', 'true');
  // Refetched every 5 s without a reload until the collector has sampled the running replica.
  const cpu = card.getByTestId('chart-cpu');
  await expect.poll(() => points(cpu), { timeout: DATA_TIMEOUT }).toBeGreaterThan(0);
  await expect
    .poll(() => points(card.getByTestId('chart-replicas')), { timeout: DATA_TIMEOUT })
    .toBeGreaterThan(0);
  await expect(cpu.locator('path.recharts-curve').first()).toBeAttached();
  // Requests through the endpoint show as request rate and latency, as clients see them.
  const endpoint = await page.getByTestId('service-endpoint').getAttribute('href');
  expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const latency = card.getByTestId('chart-latency');
  await expect
    .poll(
      async () => {
        for (let i = 0; i < 20; i++) await page.request.get(endpoint!).catch(() => null);
        return points(latency);
      },
      { timeout: DATA_TIMEOUT, intervals: [1_000] },
    )
    .toBeGreaterThan(0);
  await expect.poll(() => points(card.getByTestId('chart-requests'))).toBeGreaterThan(0);
  await expect(card.getByRole('heading', { name: 'Errors (5xx)' })).toBeVisible();
  await expect(card.getByTestId('chart-memory')).toBeVisible();
  await expect(card.getByTestId('chart-network')).toBeVisible();
  await expect(card.getByTestId('chart-block')).toBeVisible();
  await card.scrollIntoViewIfNeeded();
  await shoot(page, 'service-metrics');

  await card.getByRole('button', { name: 'Per replica' }).click();
  await expect(card.getByRole('button', { name: 'Per replica' })).toHaveAttribute('aria-pressed', 'true');
  await expect
    .poll(() => points(card.getByTestId('chart-cpu')), { timeout: DATA_TIMEOUT })
    .toBeGreaterThan(0);
  await expect(card.getByRole('heading', { name: 'CPU per replica' })).toBeVisible();
  // Requests, errors and latency per replica: by the replica that answered.
  await expect(card.getByRole('heading', { name: 'Errors (5xx) per replica' })).toBeVisible();
  await expect
    .poll(
      async () => {
        for (let i = 0; i < 20; i++) await page.request.get(endpoint!).catch(() => null);
        return points(card.getByTestId('chart-latency-p95'));
      },
      { timeout: DATA_TIMEOUT, intervals: [1_000] },
    )
    .toBeGreaterThan(0);
  await expect.poll(() => points(card.getByTestId('chart-requests'))).toBeGreaterThan(0);
  await expect(card.getByTestId('chart-latency-p50')).toBeVisible();
  await shoot(page, 'service-metrics-replicas');

  await card.getByRole('button', { name: '1h' }).click();
  await expect(card.getByRole('button', { name: '1h' })).toHaveAttribute('aria-pressed', 'true');
  await expect
    .poll(() => points(card.getByTestId('chart-cpu')), { timeout: DATA_TIMEOUT })
    .toBeGreaterThan(0);
});

test('the overview shows a CPU sparkline per service', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/');
  const row = page.getByTestId(`service-row-${NAME}`);
  await reloadUntil(page, () => row.getByTestId('cpu-sparkline').isVisible());
  const line = row.getByTestId('cpu-sparkline').getByRole('img');
  await expect(line).toHaveAttribute('aria-label', /^CPU over the last hour, now \d/);
  expect(Number(await line.getAttribute('data-points'))).toBeGreaterThan(0);
  await shoot(page, 'overview-sparklines');
});

test('uptime shows availability, an editable objective and burn-rate alerts', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/uptime');
  await expect(page.getByRole('heading', { level: 1, name: 'Uptime' })).toBeVisible();
  const card = page.getByTestId(`uptime-${NAME}`);
  await reloadUntil(page, async () =>
    /\d %$/.test((await card.getByTestId('availability-24h').textContent()) ?? ''),
  );
  await expect(card.getByTestId('availability-30d')).toHaveText(/\d %$/);
  await expect(card.getByTestId('availability-strip').getByRole('listitem')).toHaveCount(30);

  // Keyboard: one tab stop, arrows move between days.
  const today = card.getByTestId('availability-strip').getByRole('listitem').last();
  await today.focus();
  await expect(today).toHaveAttribute('aria-label', /available|no samples/);
  await page.keyboard.press('ArrowLeft');
  await expect(card.getByTestId('availability-strip').getByRole('listitem').nth(28)).toBeFocused();

  const objective = card.getByLabel(`Availability objective of ${NAME}, in percent`);
  await objective.fill('40');
  await card.getByRole('button', { name: 'Save' }).click();
  await expect(card.getByRole('alert')).toContainText('below 50 %');

  await objective.fill('99.5');
  await card.getByRole('button', { name: 'Save' }).click();
  await expect(card.getByRole('button', { name: 'Remove' })).toBeVisible();
  await expect(card.getByTestId('budget-remaining')).toHaveText(/-?\d+(\.\d)? %/);
  for (const severity of ['page', 'ticket']) {
    const alert = card.getByTestId(`burn-alert-${severity}`);
    await expect(alert).toHaveAttribute('data-firing', /true|false/);
    await expect(alert.getByText(/^(Firing|Not firing)$/)).toBeVisible();
  }
  await shoot(page, 'uptime');
});

test('KPIs show the four keys overall, per week and per service', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/');
  await page.getByRole('link', { name: 'KPIs' }).first().click();
  await expect(page).toHaveURL(/\/kpis$/);
  await expect(page.getByRole('heading', { level: 1, name: 'KPIs' })).toBeVisible();

  // The deploy that created the service has finished by now (its replica was sampled healthy).
  await expect(page.getByTestId('kpi-frequency-value')).toHaveText(/^\d+(\.\d)?$/);
  const leadTime = page.getByTestId('kpi-lead-time-value');
  await reloadUntil(page, async () => /\d (s|min|h|d)$/.test((await leadTime.textContent()) ?? ''));
  await expect(page.getByTestId('kpi-change-failure-value')).toHaveText(/\d+\.\d %$/);
  await expect(page.getByTestId('kpi-restore-value')).toHaveText(/.+/);
  await expect(page.getByTestId(`kpi-row-${NAME}`)).toBeVisible();
  expect(
    Number(await page.getByTestId('kpi-frequency').locator('figure').getAttribute('data-bars')),
  ).toBeGreaterThan(0);

  await page.getByLabel('Period').selectOption('4');
  await expect(page.getByTestId(`kpi-row-${NAME}`)).toBeVisible();
  await expect(page.getByRole('columnheader', { name: 'Deploys / week' })).toBeVisible();
  await shoot(page, 'kpis');
});
