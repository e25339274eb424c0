import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './e2e/chromium';

// Browser tests of platform/httpx/docs.html (the /api/docs page) against a small local server;
// they need no Bifrost binary. Run with `npm run test:docs`.
export default defineConfig({
  testDir: 'e2e-docs',
  globalSetup: './e2e-docs/global-setup.ts',
  workers: 1,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  timeout: 30_000,
  use: { trace: 'retain-on-failure' },
  projects: [
    {
      name: 'chromium',
      use: { browserName: 'chromium', launchOptions: chromiumLaunchOptions },
    },
  ],
});
