import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { ConfigEntry } from '../../api/types';
import { adminMe, jsonResponse, meResponse, mockServer, problem, renderApp, setCookie } from '../../test/render';

const CONTOSO = '00000000-0000-4000-8000-0000000000c0';

function entry(over: Partial<ConfigEntry>): ConfigEntry {
  return { id: 'e1', organization_id: CONTOSO, key: 'k', value: '', type: 'string', description: '', inherited: false, updated_by: null, updated_at: '2026-11-29T10:00:00Z', ...over };
}

const secret = (name: string) => ({ id: `s-${name}`, organization_id: CONTOSO, name, description: '', created_by: null, updated_by: null, created_at: '', updated_at: '' });

function server(items: ConfigEntry[], me = meResponse({ permissions: ['config.manage'] })) {
  setCookie('bifrost_csrf', 'tok');
  return mockServer({
    'GET /api/auth/me': () => jsonResponse(me),
    'GET /api/config': () => jsonResponse({ items }),
    'GET /api/secrets': () => jsonResponse({ items: [secret('halo_secret'), secret('graph_secret')] }),
    'GET /api/organizations': () => jsonResponse({ items: [], next_cursor: null }),
    'POST /api/config': (req) => jsonResponse(entry({ ...(req.body as object), id: 'new' })),
  });
}

async function openNew() {
  fireEvent.click(await screen.findByRole('button', { name: 'New entry' }));
  return screen.getByRole('dialog', { name: 'New entry' });
}

const posts = (seen: { method: string; body: unknown }[]) => seen.filter((r) => r.method === 'POST').map((r) => r.body);

describe('ConfigPage', () => {
  it('shows entries by type, a secret reference by name only, and global entries read-only with Override', async () => {
    const { seen } = server([
      entry({ id: 'a', key: 'halo_url', value: 'https://halo.example.com', description: 'PSA' }),
      entry({ id: 'b', key: 'halo_key', type: 'secret_ref', value: 'halo_secret' }),
      entry({ id: 'c', key: 'retries', type: 'int', value: 3, organization_id: null, inherited: true, description: 'Global default' }),
    ]);
    renderApp('/config');

    const own = await screen.findByTestId('config-row-halo_url');
    expect(own.textContent).toContain('https://halo.example.com');
    expect(within(own).getByRole('button', { name: 'Edit halo_url' })).toBeTruthy();
    expect(within(screen.getByTestId('config-row-halo_key')).getByTestId('config-value').textContent).toBe('secret: halo_secret');

    const inherited = screen.getByTestId('config-row-retries');
    expect(inherited.textContent).toContain('global');
    expect(within(inherited).queryByRole('button', { name: /Edit|Delete/ })).toBeNull();
    fireEvent.click(within(inherited).getByRole('button', { name: 'Override retries' }));

    const dialog = screen.getByRole('dialog', { name: 'Override retries' });
    expect((within(dialog).getByLabelText('Key') as HTMLInputElement).value).toBe('retries');
    expect((within(dialog).getByLabelText('Type') as HTMLSelectElement).value).toBe('int');
    fireEvent.change(within(dialog).getByLabelText('Value'), { target: { value: '5' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save override' }));

    await vi.waitFor(() => expect(posts(seen)).toEqual([{ key: 'retries', value: 5, type: 'int', description: 'Global default' }]));
    // The override is made in the organization: the client's own scope, no explicit one.
    expect(seen.find((r) => r.method === 'POST')?.headers['X-Organization-Id']).toBeUndefined();
  });

  it('validates the key and the JSON inline, and sends nothing until both are right', async () => {
    const { seen } = server([]);
    renderApp('/config');
    const dialog = await openNew();

    fireEvent.change(within(dialog).getByLabelText('Key'), { target: { value: 'halo-settings' } });
    fireEvent.change(within(dialog).getByLabelText('Type'), { target: { value: 'json' } });
    fireEvent.change(within(dialog).getByLabelText('Value (JSON)'), { target: { value: '{"retries": 3,}' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create entry' }));

    expect(within(dialog).getByText(/Only letters, digits and underscores/)).toBeTruthy();
    expect(within(dialog).getByText(/Not valid JSON/)).toBeTruthy();
    expect(within(dialog).getByLabelText('Value (JSON)').getAttribute('aria-invalid')).toBe('true');
    expect(posts(seen)).toEqual([]);

    fireEvent.change(within(dialog).getByLabelText('Key'), { target: { value: 'halo_settings' } });
    fireEvent.change(within(dialog).getByLabelText('Value (JSON)'), { target: { value: '{"retries": 3, "sites": ["a"]}' } });
    expect(within(dialog).queryByText(/Not valid JSON/)).toBeNull();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create entry' }));

    await vi.waitFor(() => expect(posts(seen)).toEqual([{ key: 'halo_settings', value: { retries: 3, sites: ['a'] }, type: 'json', description: '' }]));
  });

  it('stores a boolean from a checkbox and a secret reference from the list of secrets', async () => {
    const { seen } = server([]);
    renderApp('/config');

    let dialog = await openNew();
    fireEvent.change(within(dialog).getByLabelText('Key'), { target: { value: 'dry_run' } });
    fireEvent.change(within(dialog).getByLabelText('Type'), { target: { value: 'bool' } });
    fireEvent.click(within(dialog).getByLabelText('Value is true'));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create entry' }));
    await vi.waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    dialog = await openNew();
    fireEvent.change(within(dialog).getByLabelText('Key'), { target: { value: 'graph_key' } });
    fireEvent.change(within(dialog).getByLabelText('Type'), { target: { value: 'secret_ref' } });
    const select = within(dialog).getByLabelText('Secret') as HTMLSelectElement;
    await vi.waitFor(() => expect([...select.options].map((o) => o.value)).toEqual(['', 'halo_secret', 'graph_secret']));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create entry' }));
    expect(within(dialog).getByText('Choose a secret.')).toBeTruthy();
    fireEvent.change(select, { target: { value: 'graph_secret' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create entry' }));

    await vi.waitFor(() =>
      expect(posts(seen)).toEqual([
        { key: 'dry_run', value: true, type: 'bool', description: '' },
        { key: 'graph_key', value: 'graph_secret', type: 'secret_ref', description: '' },
      ]),
    );
  });

  it('shows the server’s field errors next to their fields', async () => {
    setCookie('bifrost_csrf', 'tok');
    mockServer({
      'GET /api/auth/me': () => jsonResponse(adminMe()),
      'GET /api/config': () => jsonResponse({ items: [] }),
      'GET /api/secrets': () => jsonResponse({ items: [] }),
      'GET /api/organizations': () => jsonResponse({ items: [], next_cursor: null }),
      'POST /api/config': () =>
        problem(422, 'config.invalid', 'The configuration entry has invalid fields.', [{ field: 'value', code: 'secret_not_found', message: 'names no secret readable here' }]),
    });
    renderApp('/config');
    const dialog = await openNew();

    fireEvent.change(within(dialog).getByLabelText('Key'), { target: { value: 'tenant' } });
    fireEvent.change(within(dialog).getByLabelText('Value'), { target: { value: 'contoso' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create entry' }));

    expect(await within(dialog).findByText('Names no secret readable here')).toBeTruthy();
    expect(within(dialog).getByRole('alert').textContent).toContain('The configuration entry has invalid fields.');
  });

  it('is in the navigation only for those allowed to manage it', async () => {
    server([], meResponse({ permissions: ['config.manage'] }));
    renderApp('/config');
    await screen.findByRole('heading', { name: 'Config' });
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Config' })).toBeTruthy();
    expect(within(nav).queryByRole('link', { name: 'Secrets' })).toBeNull();
    expect(within(nav).queryByRole('link', { name: 'Integrations' })).toBeNull();
  });
});
