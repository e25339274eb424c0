import { expect, test } from './fixtures';

test.describe('web UI served by bifrost', () => {
  test('the public status page shows every component ok', async ({ page, consoleErrors }) => {
    await page.goto('/status');

    await expect(page.getByRole('heading', { level: 1, name: 'Bifrost' })).toBeVisible();
    await expect(page.getByText('Automation platform for MSPs')).toBeVisible();
    await expect(page.getByTestId('overall-status')).toHaveText('All systems operational');
    for (const name of ['database', 'broker', 'redis']) {
      await expect(page.getByTestId(`component-${name}`).getByTestId('component-status')).toHaveText('ok');
    }
    // A build without -ldflags reports "dev"; any version string will do.
    await expect(page.getByTestId('server-version')).toHaveText(/^Version \S+/);
    expect(consoleErrors).toEqual([]);
  });

  // Unknown front-end routes are public: the not-found page needs no account.
  test('a deep front-end route serves the app with its not-found page', async ({ page, request, consoleErrors }) => {
    const res = await request.get('/some/front-end/route');
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toContain('text/html');
    expect(await res.text()).toContain('<div id="root">');

    await page.goto('/some/front-end/route');
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' })).toContainText('Bifrost');
    expect(consoleErrors).toEqual([]);
  });

  test('hashed assets are cached for a year, index.html is revalidated', async ({ request }) => {
    const index = await request.get('/');
    expect(index.status()).toBe(200);
    expect(index.headers()['cache-control']).toContain('no-cache');

    const html = await index.text();
    const src = /<script[^>]*\ssrc="([^"]+)"/.exec(html)?.[1];
    expect(src, 'index.html has a <script src>').toBeTruthy();
    expect(src).toMatch(/^\/assets\//);

    const asset = await request.get(src!);
    expect(asset.status()).toBe(200);
    expect(asset.headers()['content-type']).toMatch(/javascript/);
    const cache = asset.headers()['cache-control'] ?? '';
    expect(cache).toContain('immutable');
    expect(cache).toContain('max-age=31536000');
  });

  test('an unknown API path is a problem+json 404, not the app', async ({ request }) => {
    const res = await request.get('/api/does-not-exist');
    expect(res.status()).toBe(404);
    expect(res.headers()['content-type']).toContain('application/problem+json');
    expect(await res.json()).toEqual(expect.any(Object));
  });

  test('the API reference lists the /ready operation', async ({ page, consoleErrors }) => {
    const res = await page.goto('/api/docs');
    expect(res?.status()).toBe(200);

    const op = page.locator('.op[data-path="/ready"][data-method="GET"]');
    await expect(op).toBeVisible();
    await expect(op.locator('.op-path')).toHaveText('/ready');
    await expect(page.locator('#nav')).toContainText('/ready');
    expect(consoleErrors).toEqual([]);
  });
});
