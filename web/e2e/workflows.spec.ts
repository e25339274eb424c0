// The workflows catalogue as a platform admin. TestWebUIInChromium serves the example workspace
// (hello_world); a standalone run may have an empty one, so the spec accepts either, and the
// server scans the workspace a second or two after it starts: the page waits for that itself.
import { expect, signInAsAdmin, test } from './fixtures';

test('the workflows page lists the workspace, and a workflow’s detail shows its generated form', async ({ page, consoleErrors }) => {
  await signInAsAdmin(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Workflows' }).click();

  await expect(page.getByRole('heading', { level: 1, name: 'Workflows' })).toBeVisible();
  await expect(page.getByRole('searchbox', { name: 'Search' })).toBeVisible();
  const table = page.getByRole('table', { name: 'Workflows' });
  await expect(table.or(page.getByTestId('workflows-empty'))).toBeVisible();
  await expect(page.getByTestId('scanned-at')).toContainText('Last scanned');

  const hello = page.getByTestId('workflow-row-hello_world');
  if ((await hello.count()) === 0) {
    expect(consoleErrors).toEqual([]);
    return;
  }
  await expect(hello).toContainText('hello_world.py:');
  await hello.getByRole('link', { name: 'hello_world' }).click();

  await expect(page).toHaveURL(/\/workflows\/hello_world$/);
  await expect(page.getByRole('heading', { level: 1, name: 'hello_world' })).toBeVisible();
  const name = page.getByRole('textbox', { name: 'Name', exact: true });
  await expect(name).toHaveAttribute('type', 'text');
  await expect(name).toHaveJSProperty('required', true);
  await expect(page.getByRole('checkbox', { name: 'Excited' })).not.toBeChecked();

  const preview = page.getByTestId('inputs-preview');
  await expect(preview).toHaveText(JSON.stringify({ excited: false }, null, 2));
  await name.fill('Ada');
  await expect(preview).toHaveText(JSON.stringify({ name: 'Ada', excited: false }, null, 2));
  await expect(page.getByTestId('inputs-status')).toHaveText('Every input is valid.');
  expect(consoleErrors).toEqual([]);
});
