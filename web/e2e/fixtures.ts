import { test as base, type ConsoleMessage } from '@playwright/test';

/** test is Playwright's test with baseURL pointing at the server global setup started. */
export const test = base.extend<{ consoleErrors: string[] }>({
  baseURL: async ({}, use) => {
    const url = process.env.BIFROST_E2E_BASE_URL;
    if (!url) throw new Error('BIFROST_E2E_BASE_URL is unset: run through `npm run e2e` so global setup starts the server');
    await use(url);
  },

  // Collects console errors and uncaught exceptions (CSP violations show up here too).
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('console', (msg: ConsoleMessage) => {
      if (msg.type() === 'error') errors.push(`${msg.text()} (${msg.location().url})`);
    });
    page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
    await use(errors);
  },
});

export { expect } from '@playwright/test';
