// Organization data as a platform admin: a secret, configuration entries that use it, and an
// OAuth integration connected through a provider's consent page (the fake provider of
// oauth-provider.ts, or TestWebUIInChromium's). The steps build on each other, so they run in
// order in one browser context (one cookie jar).
import type { BrowserContext, Page } from '@playwright/test';
import { collectConsoleErrors, expect, serverURL, signInAsAdmin, test } from './fixtures';
import { oauthProvider, type OAuthProvider } from './oauth-provider';

// A standalone run may reuse the database of an earlier one: names get a suffix.
const RUN = Date.now().toString(36);
const SECRET = `psa_secret_${RUN}`;
const KEY_URL = `psa_url_${RUN}`;
const KEY_REF = `psa_key_${RUN}`;
const INTEGRATION = `test_provider_${RUN}`;

test.describe.configure({ mode: 'serial' });

test.describe('config, secrets and integrations', () => {
  let context: BrowserContext;
  let page: Page;
  let consoleErrors: string[];
  let provider: OAuthProvider;

  test.beforeAll(async ({ browser }) => {
    provider = await oauthProvider();
    context = await browser.newContext({ baseURL: serverURL() });
    page = await context.newPage();
    consoleErrors = collectConsoleErrors(page);
    await signInAsAdmin(page);
  });

  test.afterAll(async () => {
    await context?.close();
    await provider?.close();
  });

  test.afterEach(() => {
    expect(consoleErrors, 'console errors in the browser').toEqual([]);
    consoleErrors.length = 0;
  });

  test('the admin stores a secret, which a config entry then refers to by name', async () => {
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Secrets' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Secrets' })).toBeVisible();
    await page.getByRole('button', { name: 'New secret' }).click();
    let dialog = page.getByRole('dialog', { name: 'New secret' });
    await dialog.getByLabel('Name').fill(SECRET);
    await expect(dialog.getByLabel('Value')).toHaveAttribute('type', 'password');
    await dialog.getByLabel('Value').fill('s3cr3t-value');
    await dialog.getByRole('button', { name: 'Store secret' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId(`secret-row-${SECRET}`)).toBeVisible();
    await expect(page.getByText('s3cr3t-value')).toHaveCount(0);

    await nav.getByRole('link', { name: 'Config' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Config' })).toBeVisible();
    await page.getByRole('button', { name: 'New entry' }).click();
    dialog = page.getByRole('dialog', { name: 'New entry' });
    await dialog.getByLabel('Key').fill(KEY_URL);
    await dialog.getByLabel('Value').fill('https://psa.example.com');
    await dialog.getByRole('button', { name: 'Create entry' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId(`config-row-${KEY_URL}`)).toContainText('https://psa.example.com');

    await page.getByRole('button', { name: 'New entry' }).click();
    dialog = page.getByRole('dialog', { name: 'New entry' });
    await dialog.getByLabel('Key').fill(KEY_REF);
    await dialog.getByLabel('Type').selectOption('secret_ref');
    await dialog.getByLabel('Secret').selectOption(SECRET);
    await dialog.getByRole('button', { name: 'Create entry' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId(`config-row-${KEY_REF}`).getByTestId('config-value')).toHaveText(`secret: ${SECRET}`);
  });

  test('a secret in use cannot be deleted, and the page says which entry uses it', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Secrets' }).click();
    await page.getByRole('button', { name: `Delete ${SECRET}` }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${SECRET}?` });
    await dialog.getByRole('button', { name: 'Delete secret' }).click();
    await expect(dialog.getByTestId('secret-in-use')).toContainText(KEY_REF);
    expectedConsoleError(consoleErrors, /status of 409 .*\/api\/secrets\//);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByTestId(`secret-row-${SECRET}`)).toBeVisible();
  });

  test('the admin adds an authorization-code integration and connects it at the provider', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Integrations' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Integrations' })).toBeVisible();
    await page.getByRole('button', { name: 'New integration' }).click();
    const dialog = page.getByRole('dialog', { name: 'New integration' });
    await dialog.getByLabel('Name').fill(INTEGRATION);
    await expect(dialog.getByLabel('Flow')).toHaveValue('authorization_code');
    await dialog.getByLabel('Client ID').fill(provider.clientId);
    await dialog.getByLabel('Client secret').fill(provider.clientSecret);
    await dialog.getByLabel('Authorization URL').fill(`${provider.url}/authorize`);
    await dialog.getByLabel('Token URL').fill(`${provider.url}/token`);
    await dialog.getByLabel('Scopes').fill('openid, offline_access');
    await dialog.getByLabel('Test URL').fill(`${provider.url}/me`);
    await dialog.getByRole('button', { name: 'Create integration' }).click();
    await expect(dialog).toBeHidden();

    const row = page.getByTestId(`integration-row-${INTEGRATION}`);
    await expect(row.getByTestId('integration-status')).toHaveAttribute('data-status', 'not_connected');
    const redirectURI = await page.getByRole('status').getByLabel('Redirect URI').inputValue();
    expect(redirectURI).toMatch(/\/api\/integrations\/callback$/);
    expect(new URL(redirectURI).origin, 'the server advertises its own address (http.public_url)').toBe(new URL(serverURL()).origin);

    await row.getByRole('button', { name: `Connect ${INTEGRATION}` }).click();
    await expect(page).toHaveURL(new RegExp(`^${escapeRegExp(provider.url)}/authorize\\?`));
    await expect(page.getByRole('heading', { name: 'Test provider' })).toBeVisible();
    await page.getByRole('button', { name: 'Allow' }).click();

    await expect(page).toHaveURL(/\/integrations\/callback\?.*status=completed/);
    expect(new URL(page.url()).origin, 'the server sends the browser back to itself').toBe(new URL(serverURL()).origin);
    await expect(page.getByTestId('callback-success')).toHaveText(new RegExp(`^${INTEGRATION} is connected\\.`));
    await page.getByRole('link', { name: 'Back to Integrations' }).click();

    await expect(page).toHaveURL(/\/integrations$/);
    await expect(row.getByTestId('integration-status')).toHaveAttribute('data-status', 'completed');
    await expect(row.getByTestId('integration-status')).toHaveText('Completed');
  });

  test('the connected integration passes its test and refreshes its token', async () => {
    const row = page.getByTestId(`integration-row-${INTEGRATION}`);
    await row.getByRole('button', { name: `Test ${INTEGRATION}` }).click();
    await expect(page.getByTestId('integration-test-result')).toContainText(`Test of ${INTEGRATION} passed`);
    await expect(page.getByTestId('integration-test-result')).toContainText('200');

    await row.getByRole('button', { name: `Refresh now ${INTEGRATION}` }).click();
    await expect(page.getByRole('status').filter({ hasText: `${INTEGRATION} has a new token` })).toBeVisible();
    await expect(row.getByTestId('integration-status')).toHaveAttribute('data-status', 'completed');
  });
});

/** expectedConsoleError drops the one console error a refused request was meant to cause. */
function expectedConsoleError(errors: string[], pattern: RegExp) {
  const i = errors.findIndex((e) => pattern.test(e));
  expect(i, `a console error matching ${pattern}`).toBeGreaterThanOrEqual(0);
  errors.splice(i, 1);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
