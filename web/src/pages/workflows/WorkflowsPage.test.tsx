import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { LoadError, WorkflowsList } from '../../api/types';
import { adminMe, jsonResponse, meResponse, mockServer, renderApp, setCookie, type SeenRequest } from '../../test/render';
import { definition, loadError, parameter } from '../../test/workflows';

const SCANNED = '2026-11-29T07:17:45Z';

function listing(over: Partial<WorkflowsList> = {}): WorkflowsList {
  return { items: [], categories: [], errors: [], scanned_at: SCANNED, ...over };
}

const onboard = definition({
  name: 'onboard_user', description: 'Create a user in Microsoft 365.', category: 'Users', tags: ['m365', 'onboarding'],
  parameters: [parameter({ name: 'username' }), parameter({ name: 'email', type: 'email' }), parameter({ name: 'seats', type: 'int' })],
  execution_mode: 'sync', schedule: '0 6 * * 1', file: 'users/onboard.py', line: 3,
});

function server(list: (req: SeenRequest) => WorkflowsList, me = adminMe(), extra: Parameters<typeof mockServer>[0] = {}) {
  setCookie('bifrost_csrf', 'tok');
  return mockServer({
    'GET /api/auth/me': () => jsonResponse(me),
    'GET /api/organizations': () => jsonResponse({ items: [], next_cursor: null }),
    'GET /api/workflows': (req) => jsonResponse(list(req)),
    ...extra,
  });
}

const listRequests = (seen: SeenRequest[]) => seen.filter((r) => r.method === 'GET' && r.path.startsWith('/api/workflows')).map((r) => r.path);

describe('WorkflowsPage', () => {
  it('lists each workflow with its description, category, tags, inputs, mode, schedule and source, and when the workspace was scanned', async () => {
    server(() => listing({ items: [definition({}), onboard], categories: ['Examples', 'Users'] }));
    renderApp('/workflows');

    const row = await screen.findByTestId('workflow-row-onboard_user');
    expect(within(row).getByRole('link', { name: 'onboard_user' }).getAttribute('href')).toBe('/workflows/onboard_user');
    for (const text of ['Create a user in Microsoft 365.', 'Users', 'm365', 'onboarding', '3 inputs', 'sync', '0 6 * * 1', 'users/onboard.py:3']) {
      expect(within(row).getByText(text)).toBeTruthy();
    }
    const hello = screen.getByTestId('workflow-row-hello_world');
    expect(hello.textContent).toContain('2 inputs');
    expect(hello.textContent).toContain('hello_world.py:10');
    expect(screen.getByTestId('scanned-at').textContent).toBe(`Last scanned ${new Date(SCANNED).toLocaleString()}.`);
    expect(screen.queryByTestId('load-errors')).toBeNull();
  });

  it('searches once the typing settles and filters by category, keeping both in the address', async () => {
    const { seen } = server((req) => {
      const q = new URL(req.path, 'http://x').searchParams;
      const items = [definition({}), onboard].filter((d) => (!q.get('q') || d.name.includes(q.get('q')!)) && (!q.get('category') || d.category === q.get('category')));
      return listing({ items, categories: ['Examples', 'Users'] });
    });
    const { router } = renderApp('/workflows');
    await screen.findByTestId('workflow-row-onboard_user');

    fireEvent.change(screen.getByRole('searchbox', { name: 'Search' }), { target: { value: 'onb' } });
    fireEvent.change(screen.getByRole('searchbox', { name: 'Search' }), { target: { value: 'onboard ' } });
    await vi.waitFor(() => expect(screen.queryByTestId('workflow-row-hello_world')).toBeNull());
    expect(listRequests(seen)).toEqual(['/api/workflows', '/api/workflows?q=onboard']);
    expect(router.state.location.search).toBe('?q=onboard');

    fireEvent.change(screen.getByRole('combobox', { name: 'Category' }), { target: { value: 'Examples' } });
    await screen.findByText('No workflows match.');
    expect(listRequests(seen).at(-1)).toBe('/api/workflows?q=onboard&category=Examples');
    expect(new URLSearchParams(router.state.location.search).get('category')).toBe('Examples');

    fireEvent.click(screen.getByRole('button', { name: 'Clear the search and the category' }));
    await screen.findByTestId('workflow-row-hello_world');
    expect((screen.getByRole('searchbox', { name: 'Search' }) as HTMLInputElement).value).toBe('');
    expect(router.state.location.search).toBe('');
  });

  it('starts from the filters in the address, as when coming back from a workflow, and follows the address', async () => {
    const { seen } = server(() => listing({ items: [onboard], categories: ['Examples', 'Users'] }));
    renderApp('/workflows?q=onboard&category=Users');

    await screen.findByTestId('workflow-row-onboard_user');
    expect((screen.getByRole('searchbox', { name: 'Search' }) as HTMLInputElement).value).toBe('onboard');
    expect((screen.getByRole('combobox', { name: 'Category' }) as HTMLSelectElement).value).toBe('Users');
    expect(listRequests(seen)).toEqual(['/api/workflows?q=onboard&category=Users']);

    // The navigation link leads to the whole list: the box follows the address.
    fireEvent.click(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('link', { name: 'Workflows' }));
    await vi.waitFor(() => expect(listRequests(seen).at(-1)).toBe('/api/workflows'));
    expect((screen.getByRole('searchbox', { name: 'Search' }) as HTMLInputElement).value).toBe('');
    expect((screen.getByRole('combobox', { name: 'Category' }) as HTMLSelectElement).value).toBe('');
  });

  it('opens a workflow with a way back to the same list', async () => {
    server(() => listing({ items: [onboard], categories: ['Users'] }), adminMe(), { 'GET /api/workflows/onboard_user': () => jsonResponse(onboard) });
    const { router } = renderApp('/workflows?category=Users');

    fireEvent.click(await screen.findByRole('link', { name: 'onboard_user' }));
    await screen.findByRole('heading', { level: 1, name: 'onboard_user' });
    expect(router.state.location.pathname).toBe('/workflows/onboard_user');
    expect(screen.getByRole('link', { name: '← All workflows' }).getAttribute('href')).toBe('/workflows?category=Users');
  });

  it('shows the files that did not load, with a traceback only when the server sent one', async () => {
    const errors: LoadError[] = [
      loadError({ file: 'broken.py', line: 4, traceback: '  File "broken.py", line 4\n    def oops(:\nSyntaxError: invalid syntax\n' }),
      loadError({ file: 'halo.py', location: 'helpers/halo_client.py', line: 12, type: 'ImportError', message: "No module named 'halopsa'" }),
      loadError({ file: 'halo.py', line: 30, type: 'DuplicateName', message: "workflow 'sync' is already defined in a.py:3; this one is ignored" }),
    ];
    server(() => listing({ items: [definition({})], errors }));
    renderApp('/workflows');

    const panel = await screen.findByTestId('load-errors');
    expect(within(panel).getByRole('heading', { name: '2 files did not load' })).toBeTruthy();
    const broken = within(panel).getByTestId('load-error-broken.py');
    expect(broken.textContent).toContain('broken.py:4');
    expect(broken.textContent).toContain('SyntaxError');
    expect(broken.textContent).toContain('invalid syntax');
    expect(within(broken).getByText('Traceback').tagName).toBe('SUMMARY');
    expect(broken.querySelector('pre')?.textContent).toContain('def oops(:');

    const [imported, duplicate] = within(panel).getAllByTestId('load-error-halo.py');
    expect(imported.textContent).toContain('raised in helpers/halo_client.py:12');
    expect(imported.textContent).toContain("ImportError No module named 'halopsa'");
    expect(duplicate.textContent).toContain('halo.py:30');
    for (const li of [imported, duplicate]) {
      expect(within(li).queryByText('Traceback')).toBeNull();
      expect(li.querySelector('pre')).toBeNull();
    }
    // The list still shows what did load.
    expect(screen.getByTestId('workflow-row-hello_world')).toBeTruthy();
  });

  it('explains how to add a workflow when the workspace has none', async () => {
    server(() => listing(), meResponse({ permissions: ['workflows.run'] }));
    renderApp('/workflows');

    const empty = await screen.findByTestId('workflows-empty');
    expect(empty.textContent).toContain('No workflows in the workspace yet.');
    const example = within(empty).getByLabelText('Example workflow');
    expect(example.tagName).toBe('PRE');
    expect(example.textContent).toContain('from bifrost import workflow');
    expect(example.textContent).toContain('@workflow');
    // Only platform admins may ask for a rescan.
    expect(screen.queryByRole('button', { name: 'Rescan workspace' })).toBeNull();
    expect(empty.textContent).not.toContain('Rescan workspace');
  });

  it('waits for the first scan instead of calling the workspace empty', async () => {
    let scanned = false;
    server(() => listing(scanned ? { items: [definition({})] } : { scanned_at: null }));
    renderApp('/workflows');

    await screen.findByText('Waiting for the workers to scan the workspace…');
    expect(screen.getByTestId('scanned-at').textContent).toBe('Not scanned yet.');
    expect(screen.queryByTestId('workflows-empty')).toBeNull();
    scanned = true;
    await screen.findByTestId('workflow-row-hello_world', undefined, { timeout: 4000 });
  });

  it('lets a platform admin rescan the workspace, then reads the list again', async () => {
    let scans = 0;
    const { seen } = server(() => listing({ items: scans ? [definition({}), onboard] : [definition({})], scanned_at: scans ? '2026-11-29T08:00:00Z' : SCANNED }), adminMe(), {
      'POST /api/workflows/refresh': () => {
        scans++;
        return jsonResponse({ message: 'The workers are scanning the workspace again.' }, 202);
      },
    });
    renderApp('/workflows');
    await screen.findByTestId('workflow-row-hello_world');

    fireEvent.click(screen.getByRole('button', { name: 'Rescan workspace' }));
    await screen.findByRole('button', { name: 'Rescanning…' });
    expect(seen.find((r) => r.method === 'POST')?.headers['X-CSRF-Token']).toBe('tok');
    await screen.findByTestId('workflow-row-onboard_user', undefined, { timeout: 4000 });
    expect(screen.getByRole('button', { name: 'Rescan workspace' })).toBeTruthy();
  });

  it('lists the data providers on their own tab', async () => {
    const provider = definition({ kind: 'data_provider', name: 'list_groups', description: 'Groups of the tenant.', category: 'General', parameters: [], cache_ttl_seconds: 300, file: 'providers.py', line: 7 });
    // The server sends tags: null for data providers.
    const { seen } = server(() => listing({ items: [definition({})] }), adminMe(), {
      'GET /api/data-providers': () => jsonResponse({ items: [{ ...provider, tags: null }] }),
    });
    const { router } = renderApp('/workflows');
    await screen.findByTestId('workflow-row-hello_world');
    expect(seen.some((r) => r.path.startsWith('/api/data-providers'))).toBe(false);

    fireEvent.click(screen.getByRole('link', { name: 'Data providers' }));
    const row = await screen.findByTestId('provider-row-list_groups');
    expect(row.textContent).toContain('Groups of the tenant.');
    expect(row.textContent).toContain('5 min');
    expect(row.textContent).toContain('providers.py:7');
    expect(router.state.location.search).toBe('?view=data-providers');
    expect(screen.getByRole('link', { name: 'Data providers' }).getAttribute('aria-current')).toBe('page');
    expect(screen.queryByRole('combobox', { name: 'Category' })).toBeNull();
  });

  it('is in the navigation for those who may run workflows, first of the automation pages', async () => {
    server(() => listing(), meResponse({ permissions: ['workflows.run', 'integrations.manage', 'config.manage'] }));
    renderApp('/');
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    await within(nav).findByRole('link', { name: 'Workflows' });
    const labels = within(nav).getAllByRole('link').map((a) => a.textContent);
    const at = labels.indexOf('Workflows');
    expect(labels.slice(at, at + 3)).toEqual(['Workflows', 'Executions', 'Integrations']);
  });

  it('is neither in the navigation nor open without the permission', async () => {
    const { seen } = server(() => listing(), meResponse({ permissions: ['config.manage'] }));
    renderApp('/workflows');

    await screen.findByRole('heading', { name: 'Not allowed' });
    expect(within(screen.getByRole('navigation', { name: 'Main' })).queryByRole('link', { name: 'Workflows' })).toBeNull();
    expect(seen.some((r) => r.path.startsWith('/api/workflows'))).toBe(false);
  });
});
