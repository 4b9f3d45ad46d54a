/**
 * Debian's Chromium, as the e2e specs and the benchmarks launch it (`npx playwright install` cannot
 * download here). The flags keep a headless run quiet: no sandbox (root in a container), no GPU, no
 * background updates or first-run pages.
 */
export const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
  ],
};
