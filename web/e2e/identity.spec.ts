// The identity journey on a fresh server: first-run setup, an organization, an invitation read
// from the server's mail folder, the invited technician's first and second sign-in, and what an
// organization user may not see. The steps build on each other, so they run in order in one
// browser context (one cookie jar).
import type { BrowserContext, Page } from '@playwright/test';
import { ADMIN, collectConsoleErrors, expect, serverURL, test } from './fixtures';
import { linkPath, waitForMail } from './mail';

const TECH = { name: 'Tess Tech', email: 'tech@contoso.com', password: 'tech-password-2024-long' };
const ORG = { name: 'Contoso', domain: 'contoso.com' };

test.describe.configure({ mode: 'serial' });

test.describe('identity journey', () => {
  let context: BrowserContext;
  let page: Page;
  let consoleErrors: string[];

  test.beforeAll(async ({ browser }) => {
    context = await browser.newContext({ baseURL: serverURL() });
    page = await context.newPage();
    consoleErrors = collectConsoleErrors(page);
  });

  test.afterAll(async () => {
    await context?.close();
  });

  test.afterEach(() => {
    expect(consoleErrors, 'console errors in the browser').toEqual([]);
  });

  test('a fresh server sends / to /setup, which creates the first platform admin', async () => {
    const setup = await page.request.get('/api/auth/setup');
    expect(
      (await setup.json()).needed,
      'this journey needs a server without accounts (TestWebUIInChromium starts one on an empty database)',
    ).toBe(true);

    await page.goto('/');
    await expect(page, 'an unconfigured server sends / to the setup page').toHaveURL(/\/setup$/);
    await page.getByLabel('Your name').fill(ADMIN.name);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create admin account' }).click();

    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Hello, ${ADMIN.name}`);
    await expect(page.getByTestId('home-organization')).toHaveText('Platform admin');
    await expect(page.getByTestId('org-switcher'), 'platform admins get the organization switcher').toBeVisible();

    // Setup is done: /setup now sends people away.
    await page.goto('/setup');
    await expect(page).toHaveURL(/\/$/);
  });

  test('the admin creates the organization Contoso', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organizations' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Organizations' })).toBeVisible();
    await page.getByRole('button', { name: 'New organization' }).click();

    const dialog = page.getByRole('dialog', { name: 'New organization' });
    await dialog.getByLabel('Name').fill(ORG.name);
    await dialog.getByLabel('Email domain').fill(ORG.domain);
    await dialog.getByRole('button', { name: 'Create organization' }).click();
    await expect(dialog).toBeHidden();

    const row = page.getByTestId('org-row-contoso');
    await expect(row).toContainText(ORG.name);
    await expect(row).toContainText(ORG.domain);
    await expect(row).toContainText('Active');
    // The switcher learns about it too.
    await expect(page.getByTestId('org-switcher').locator('option', { hasText: ORG.name })).toHaveCount(1);
  });

  test('the admin invites tech@contoso.com into Contoso', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
    await page.getByRole('button', { name: 'Invite user' }).click();

    const dialog = page.getByRole('dialog', { name: 'Invite user' });
    await dialog.getByLabel('Email', { exact: true }).fill(TECH.email);
    // In the "All organizations" scope the admin must say which organization the user joins.
    await dialog.getByLabel('Organization').selectOption({ label: ORG.name });
    await expect(dialog.getByLabel('Email the invitation')).toBeChecked();
    await dialog.getByRole('button', { name: 'Invite' }).click();
    await expect(dialog).toBeHidden();

    await expect(page.getByRole('status').filter({ hasText: `Invitation sent to ${TECH.email}.` })).toBeVisible();
    await expect(page.getByTestId(`user-row-${TECH.email}`)).toContainText('Invitation pending');
  });

  test('the invited technician follows the emailed link, sets a password and is signed in', async () => {
    const mail = await waitForMail(TECH.email);
    expect(mail.subject, `subject of ${mail.file}`).toContain(ORG.name);
    const acceptPath = linkPath(mail, '/accept-invite');
    expect(acceptPath).toMatch(/^\/accept-invite\?token=[^&\s]+$/);

    // The admin's session ends first, as on another person's computer.
    await context.clearCookies();
    await page.goto(acceptPath);
    await expect(page.getByTestId('invitation-info')).toHaveText(`Join ${ORG.name} as ${TECH.email}.`);
    await page.getByLabel('Your name').fill(TECH.name);
    await page.getByLabel('Password').fill(TECH.password);
    await page.getByRole('button', { name: 'Accept the invitation' }).click();

    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Hello, ${TECH.name}`);
    await expect(page.getByTestId('home-organization')).toHaveText(ORG.name);
  });

  test('after signing out and in again, the technician sees only Contoso', async () => {
    await page.getByTestId('user-menu').click();
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page).toHaveURL(/\/login$/);

    await page.getByLabel('Email').fill(TECH.email);
    await page.getByLabel('Password').fill(TECH.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByTestId('home-organization')).toHaveText(ORG.name);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link', { name: 'Home', exact: true })).toBeVisible();
    await expect(nav.getByRole('link', { name: 'Organizations' }), 'organization users get no Organizations link').toHaveCount(0);
    await expect(page.getByTestId('org-switcher'), 'organization users get no organization switcher').toHaveCount(0);

    await page.goto('/organizations');
    await expect(page.getByRole('heading', { name: 'Not allowed' }), '/organizations is closed to organization users').toBeVisible();
    await expect(page.getByRole('table', { name: 'Organizations' })).toHaveCount(0);

    // What the API itself answers with the technician's cookies.
    const answer = await page.evaluate(async () => {
      const res = await fetch('/api/organizations', { credentials: 'same-origin' });
      return { status: res.status, body: await res.json() };
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const names = (answer.body.items as { name: string }[]).map((o) => o.name);
    expect(names, 'GET /api/organizations as an organization user lists exactly their organization').toEqual([ORG.name]);
  });
});
