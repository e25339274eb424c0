import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './e2e/chromium';

// End-to-end tests against the real `bifrost serve` (BIFROST_BIN, built with -tags embedweb).
// global-setup.ts starts it on a free port with its own database, queue and key prefixes.
export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: 'list',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  use: {
    trace: 'retain-on-failure',
  },
  // The identity journey needs a server without accounts and creates the first admin, whom the
  // other specs sign in as: it runs first, whatever the files' alphabetical order.
  projects: [
    {
      name: 'identity',
      testMatch: 'identity.spec.ts',
      use: { browserName: 'chromium', launchOptions: chromiumLaunchOptions },
    },
    {
      name: 'chromium',
      testIgnore: 'identity.spec.ts',
      dependencies: ['identity'],
      use: { browserName: 'chromium', launchOptions: chromiumLaunchOptions },
    },
  ],
});
