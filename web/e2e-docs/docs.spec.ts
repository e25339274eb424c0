import { test as base, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { DOCS_HTML } from './global-setup';

const test = base.extend<{ consoleErrors: string[] }>({
  baseURL: async ({}, use) => {
    const url = process.env.DOCS_BASE_URL;
    if (!url) throw new Error('DOCS_BASE_URL is unset: run through `npm run test:docs`');
    await use(url);
  },
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
    await use(errors);
  },
});

async function openDocs(page: Page) {
  await page.goto('/api/docs');
  await expect(page.locator('#title')).toHaveText('Bifrost API');
}

const op = (page: Page, method: string, path: string) => page.locator(`.op[data-method="${method}"][data-path="${path}"]`);

test('the page source keeps to what the CSP allows', () => {
  const html = readFileSync(DOCS_HTML, 'utf8');
  expect(html.match(/<script\b/gi)).toHaveLength(1);
  expect(html).toMatch(/<script>[\s\S]*<\/script>/);
  expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  expect(html).not.toMatch(/javascript:/i);
  expect(html).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
  expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//i);
});

test('renders info, tags and operations with no console errors', async ({ page, consoleErrors }) => {
  await openDocs(page);
  await expect(page.locator('#brand-version')).toHaveText('v9.9.9-test');
  await expect(page.locator('.intro')).toContainText('Sample document for the API reference page test.');
  await expect(page.locator('.intro code').first()).toHaveText('9.9.9-test');

  // Tags in declared order, then the untagged group.
  await expect(page.locator('.tag-section > h2')).toHaveText(['system', 'items', 'default']);
  await expect(page.locator('.nav-tag')).toHaveText(['system', 'items', 'default']);

  const ready = op(page, 'GET', '/ready');
  await expect(ready).toBeVisible();
  await expect(ready.locator('.op-path')).toHaveText('/ready');
  await expect(ready.locator('.op-summary')).toHaveText('Readiness probe');
  await expect(ready.locator('.resp .status')).toHaveText(['200', '503']);
  await expect(ready).toContainText('ComponentStatus');
  await expect(page.locator('#nav')).toContainText('/ready');
  await expect(op(page, 'GET', '/api/shapes')).toHaveClass(/deprecated/);
  expect(consoleErrors).toEqual([]);
});

test('document text is shown as text, never as markup', async ({ page, consoleErrors }) => {
  await openDocs(page);
  await expect(page.locator('.intro')).toContainText('<img src=x id=xss-info>');
  await expect(op(page, 'GET', '/api/items/{id}').locator('.op-summary')).toHaveText('Read an item <img src=x id=xss-summary>');
  await expect(page.locator('#xss-info, #xss-summary')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(consoleErrors).toEqual([]);
});

test('parameters, refs, allOf, oneOf and cycles render as a tree', async ({ page }) => {
  await openDocs(page);
  const get = op(page, 'GET', '/api/items/{id}');
  const rows = get.locator('table tbody tr');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toContainText('id');
  await expect(rows.nth(0)).toContainText('path');
  await expect(rows.nth(0)).toContainText('required');
  await expect(rows.nth(0)).toContainText('string (uuid)');
  await expect(rows.nth(1)).toContainText('expand');
  await expect(rows.nth(1)).toContainText('default: false');
  await expect(rows.nth(2)).toContainText('X-Organization-Id');
  await expect(get).toContainText('recursive');
  await expect(get.locator('.resp .status')).toHaveText(['200', '404']);
  await expect(get).toContainText('application/problem+json');

  const create = op(page, 'POST', '/api/items');
  await expect(create.locator('.prop')).toContainText(['name', 'tags', 'kind']);
  await expect(create).toContainText('one of: "device", "site"');

  const shapes = op(page, 'GET', '/api/shapes');
  await expect(shapes).toContainText('One of #1: Circle');
  await expect(shapes).toContainText('One of #2: Square');
  await expect(shapes).toContainText('discriminator: kind');

  const example = create.locator('details.raw', { hasText: 'Example JSON' }).first();
  await example.locator('summary').click();
  const ex = JSON.parse((await example.locator('pre').textContent()) ?? '');
  expect(ex).toEqual({ name: 'router-01', tags: ['string'], kind: 'device' });
});

test('the filter narrows operations and the sidebar', async ({ page }) => {
  await openDocs(page);
  await page.locator('#filter').fill('readiness');
  await expect(op(page, 'GET', '/ready')).toBeVisible();
  await expect(op(page, 'POST', '/api/items')).toBeHidden();
  await expect(page.locator('#tag-items')).toBeHidden();
  await expect(page.locator('#tag-system')).toBeVisible();
  await expect(page.locator('#nav a', { hasText: '/api/items' })).toHaveCount(2);
  await expect(page.locator('#nav a', { hasText: '/api/items' }).first()).toBeHidden();

  await page.locator('#filter').fill('no such operation');
  await expect(page.locator('#no-match')).toBeVisible();
  await page.locator('#filter').fill('');
  await expect(op(page, 'POST', '/api/items')).toBeVisible();
});

test('try it sends the request with the bearer token and shows the answer', async ({ page, consoleErrors }) => {
  await openDocs(page);
  await page.locator('#token').fill('tok-123');

  const get = op(page, 'GET', '/api/items/{id}');
  await get.locator('details.try > summary').click();
  await get.getByLabel(/^id/).fill('a b/c');
  await get.getByLabel(/^expand/).fill('true');
  await get.getByLabel(/^X-Organization-Id/).fill('org-7');
  await get.getByRole('button', { name: 'Send request' }).click();
  await expect(get.locator('.try-result .status')).toHaveText('200');
  const answer = JSON.parse((await get.locator('.try-response').textContent()) ?? '');
  expect(answer).toMatchObject({
    method: 'GET',
    id: 'a b/c',
    query: { expand: 'true' },
    authorization: 'Bearer tok-123',
    organization: 'org-7',
  });
  await expect(get.locator('.try-headers')).toContainText('content-type: application/json');

  const create = op(page, 'POST', '/api/items');
  await create.locator('details.try > summary').click();
  await create.getByRole('button', { name: 'Send request' }).click();
  await expect(create.locator('.try-result .status')).toHaveText('201');
  expect(JSON.parse((await create.locator('.try-response').textContent()) ?? '')).toMatchObject({
    method: 'POST',
    contentType: 'application/json',
    body: { name: 'router-01', kind: 'device' },
  });

  await create.locator('textarea').fill('{not json');
  await create.getByRole('button', { name: 'Send request' }).click();
  await expect(create.locator('.try-result .error')).toContainText('not valid JSON');

  // Required path parameter left empty.
  await get.getByLabel(/^id/).fill('');
  await get.getByRole('button', { name: 'Send request' }).click();
  await expect(get.locator('.try-result .error')).toContainText('Missing required: id');

  // A 404 problem answer is shown, not treated as a failure.
  await get.getByLabel(/^id/).fill('missing');
  await get.getByRole('button', { name: 'Send request' }).click();
  await expect(get.locator('.try-result .status')).toHaveText('404');
  await expect(get.locator('.try-response')).toContainText('items.not_found');
  expect(consoleErrors.filter((e) => !e.includes('404'))).toEqual([]);
});

test('the token stays for the session', async ({ page }) => {
  await openDocs(page);
  await page.locator('#token').fill('keep-me');
  await page.reload();
  await expect(page.locator('#title')).toHaveText('Bifrost API');
  await expect(page.locator('#token')).toHaveValue('keep-me');
  await page.locator('#token-clear').click();
  await page.reload();
  await expect(page.locator('#token')).toHaveValue('');
});

test('a deep link opens and scrolls to its operation', async ({ page }) => {
  await page.goto('/api/docs#op-createitem');
  const create = op(page, 'POST', '/api/items');
  await expect(create).toHaveAttribute('id', 'op-createitem');
  await expect(create).toBeInViewport();
});
