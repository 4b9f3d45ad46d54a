import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type Page } from '@playwright/test';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots');

/**
 * Saves the page in light and dark mode (e2e/screenshots/<name>-<scheme>.png). The theme follows the
 * system when nobody chose one, so emulating the colour scheme is enough.
 */
export async function shoot(page: Page, name: string, { fullPage = true } = {}) {
  fs.mkdirSync(DIR, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    if (scheme === 'dark') await expect(page.locator('html')).toHaveClass(/\bdark\b/);
    else await expect(page.locator('html')).not.toHaveClass(/\bdark\b/);
    await page.screenshot({
      path: path.join(DIR, `${name}-${scheme}.png`),
      fullPage,
      animations: 'disabled',
    });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}
