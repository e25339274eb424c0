import { expect, test as base, type ConsoleMessage, type Page } from '@playwright/test';

/** ADMIN is the first platform admin: identity.spec.ts creates it, later specs sign in with it. */
export const ADMIN = { name: 'Ada Admin', email: 'admin@example.com', password: 'correct horse battery staple' };

/** serverURL is the address of the server global setup started (or the Go test did). */
export function serverURL(): string {
  const url = process.env.BIFROST_E2E_BASE_URL;
  if (!url) throw new Error('BIFROST_E2E_BASE_URL is unset: run through `npm run e2e` so global setup starts the server');
  return url;
}

/** collectConsoleErrors gathers a page's console errors and uncaught exceptions. */
export function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg: ConsoleMessage) => {
    if (msg.type() === 'error') errors.push(`${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
  return errors;
}

/** test is Playwright's test with baseURL pointing at the server global setup started. */
export const test = base.extend<{ consoleErrors: string[] }>({
  baseURL: async ({}, use) => {
    await use(serverURL());
  },

  // Collects console errors and uncaught exceptions (CSP violations show up here too).
  consoleErrors: async ({ page }, use) => {
    await use(collectConsoleErrors(page));
  },
});

export { expect };

/** signInAsAdmin signs in as ADMIN, running first-run setup when the server has no account yet. */
export async function signInAsAdmin(page: Page) {
  const setup = await page.request.get('/api/auth/setup');
  if ((await setup.json()).needed) {
    await page.goto('/setup');
    await page.getByLabel('Your name').fill(ADMIN.name);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create admin account' }).click();
  } else {
    await page.goto('/login');
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Hello, ${ADMIN.name}`);
}
