// Running workflows and following their executions, as a platform admin. TestWebUIInChromium
// serves the example workspace, whose count_steps (progress.py) logs "step i of N" every
// interval_ms milliseconds: by default 15 steps of 200 ms, long enough to watch lines arrive.
import type { Page } from '@playwright/test';
import { expect, signInAsAdmin, test } from './fixtures';

const EXECUTION_URL = /\/executions\/[0-9a-f-]{36}$/;
const STREAM_URL = /\/api\/executions\/[0-9a-f-]{36}\/stream/;

// Workers import the workspace a second or two after the server starts.
async function openCountSteps(page: Page) {
  await page.goto('/workflows/count_steps');
  await expect(page.getByRole('heading', { level: 1, name: 'count_steps' })).toBeVisible({ timeout: 20_000 });
}

// The CSRF token a request made outside the page's own client must carry.
async function csrfHeader(page: Page): Promise<Record<string, string>> {
  const cookie = (await page.context().cookies()).find((c) => c.name === 'bifrost_csrf');
  expect(cookie, 'the session has a CSRF cookie').toBeTruthy();
  return { 'X-CSRF-Token': cookie!.value };
}

test('a run of count_steps streams its log live, ends in Success and shows its result', async ({ page, consoleErrors }) => {
  await signInAsAdmin(page);
  await openCountSteps(page);
  await expect(page.getByTestId('inputs-preview')).toHaveText(JSON.stringify({ steps: 15, interval_ms: 200 }, null, 2));

  // Everything after this comes without loading a page: the router, then the event stream.
  let loads = 0;
  page.on('load', () => loads++);
  const streamRequest = page.waitForRequest(STREAM_URL);
  await page.getByRole('button', { name: 'Run', exact: true }).click();

  await expect(page).toHaveURL(EXECUTION_URL);
  await expect(page.getByRole('heading', { level: 1, name: 'count_steps' })).toBeVisible();
  await streamRequest;
  const lines = page.getByTestId('execution-log-line');
  const status = page.getByTestId('execution-status');
  await expect(lines.filter({ hasText: 'step 1 of 15' })).toBeVisible();
  await expect(status).toHaveText('Running');
  expect(await lines.filter({ hasText: 'step 15 of 15' }).count(), 'the first line shows while the run is still going').toBe(0);
  await expect(page.getByTestId('live-indicator')).toHaveText('Live');

  await expect(lines.filter({ hasText: 'step 15 of 15' })).toBeVisible();
  await expect(status).toHaveText('Success');
  await expect(lines).toHaveCount(15);
  await expect(lines.first()).toHaveAttribute('data-level', 'info');
  const result = page.getByTestId('execution-result');
  await expect(result).toHaveAttribute('data-result-type', 'json');
  const tree = result.getByRole('list', { name: 'Result' });
  await expect(tree.getByText('done', { exact: true })).toBeVisible();
  await expect(tree.getByText('true', { exact: true })).toBeVisible();
  await expect(page.getByTestId('execution-input')).toContainText('"steps": 15');
  await expect(page.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  expect(loads, 'no page load after Run').toBe(0);
  expect(consoleErrors).toEqual([]);
});

test('the history lists executions and shows a new one as it starts and ends', async ({ page, consoleErrors }) => {
  await signInAsAdmin(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Executions' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Executions' })).toBeVisible();
  await expect(page.getByTestId('live-indicator')).toHaveText('Live');

  await page.getByRole('combobox', { name: 'Workflow' }).fill('count_steps');
  await expect(page).toHaveURL(/\?workflow=count_steps$/);
  const table = page.getByRole('table', { name: 'Executions' });
  await expect(table).toBeVisible();
  const before = await table.locator('tbody tr').count();

  // A run started elsewhere (here: the API) appears at the top without a reload.
  const res = await page.request.post('/api/workflows/count_steps/execute', {
    headers: await csrfHeader(page),
    data: { input_data: { steps: 3, interval_ms: 300 } },
  });
  expect(res.status(), await res.text()).toBe(202);
  const { execution_id: id } = (await res.json()) as { execution_id: string };
  const row = page.getByTestId(`execution-row-${id}`);
  await expect(row).toBeVisible();
  await expect(table.locator('tbody tr').first()).toHaveAttribute('data-testid', `execution-row-${id}`);
  await expect(row.locator('[data-status]')).toHaveText('Success');
  await expect(table.locator('tbody tr')).toHaveCount(before + 1);
  await expect(row.locator('td').last()).toHaveText(/^\d+(\.\d)? m?s$/);

  await row.getByRole('link', { name: 'count_steps' }).click();
  await expect(page).toHaveURL(new RegExp(`/executions/${id}$`));
  await expect(page.getByTestId('execution-status')).toHaveText('Success');
  await expect(page.getByTestId('execution-log-line')).toHaveCount(3);
  await page.getByRole('link', { name: '← All executions' }).click();
  await expect(page).toHaveURL(/\/executions\?workflow=count_steps$/);
  expect(consoleErrors).toEqual([]);
});

test('cancelling a long run stops it, and it ends Cancelled', async ({ page, consoleErrors }) => {
  await signInAsAdmin(page);
  await openCountSteps(page);
  await page.getByRole('spinbutton', { name: 'Steps' }).fill('100');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page).toHaveURL(EXECUTION_URL);

  const lines = page.getByTestId('execution-log-line');
  await expect(lines.filter({ hasText: 'step 2 of 100' })).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();

  await expect(page.getByTestId('execution-status')).toHaveText('Cancelled', { timeout: 15_000 });
  await expect(page.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  await expect(lines.filter({ hasText: 'step 100 of 100' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Run again' })).toBeVisible();
  expect(consoleErrors).toEqual([]);
});
