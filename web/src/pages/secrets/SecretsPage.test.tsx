import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { setSelectedOrganization } from '../../api/orgScope';
import { adminMe, jsonResponse, mockServer, noContent, problem, renderApp, setCookie } from '../../test/render';

const CONTOSO = '00000000-0000-4000-8000-0000000000c0';
const halo = { id: 's1', organization_id: null, name: 'halo_secret', description: 'HaloPSA client secret', created_by: null, updated_by: null, created_at: '2026-11-29T10:00:00Z', updated_at: '2026-11-29T10:00:00Z', inherited: false };

function server(extra: Parameters<typeof mockServer>[0] = {}) {
  setCookie('bifrost_csrf', 'tok');
  return mockServer({
    'GET /api/auth/me': () => jsonResponse(adminMe()),
    'GET /api/organizations': () => jsonResponse({ items: [{ id: CONTOSO, name: 'Contoso', slug: 'contoso', is_active: true, settings: {}, created_at: '', updated_at: '' }], next_cursor: null }),
    'GET /api/secrets': () => jsonResponse({ items: [halo] }),
    ...extra,
  });
}

describe('SecretsPage', () => {
  it('stores a secret from a password field, in the organization chosen in the switcher', async () => {
    setSelectedOrganization(CONTOSO);
    const { seen } = server({ 'POST /api/secrets': () => jsonResponse({ ...halo, id: 's2', name: 'graph_secret' }, 201) });
    renderApp('/secrets');

    expect(await screen.findByText(/Secrets of Contoso/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'New secret' }));
    const dialog = screen.getByRole('dialog', { name: 'New secret' });
    const value = within(dialog).getByLabelText('Value') as HTMLInputElement;
    expect(value.type).toBe('password');

    fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: 'graph secret' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Store secret' }));
    expect(within(dialog).getByText(/letters, digits, dots, dashes or underscores/)).toBeTruthy();
    expect(within(dialog).getByText('Enter the value to store.')).toBeTruthy();

    fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: 'graph_secret' } });
    fireEvent.change(value, { target: { value: 's3cr3t' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Store secret' }));

    await vi.waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const post = seen.find((r) => r.method === 'POST');
    expect(post?.body).toEqual({ name: 'graph_secret', value: 's3cr3t', description: '' });
    expect(post?.headers['X-Organization-Id']).toBe(CONTOSO);
  });

  it('shows global secrets from an organization read-only, with an override that keeps the name', async () => {
    setSelectedOrganization(CONTOSO);
    const { seen } = server({
      'GET /api/secrets': () => jsonResponse({ items: [{ ...halo, inherited: true }] }),
      'POST /api/secrets': () => jsonResponse({ ...halo, id: 's2', organization_id: CONTOSO }, 201),
    });
    renderApp('/secrets');

    const row = await screen.findByTestId('secret-row-halo_secret');
    expect(within(row).getByText('global')).toBeTruthy();
    expect(within(row).queryByRole('button', { name: 'Delete halo_secret' })).toBeNull();
    expect(within(row).queryByRole('button', { name: 'Replace the value of halo_secret' })).toBeNull();
    fireEvent.click(within(row).getByRole('button', { name: 'Override halo_secret' }));
    const dialog = screen.getByRole('dialog', { name: 'New secret' });
    expect((within(dialog).getByLabelText('Name') as HTMLInputElement).value).toBe('halo_secret');
    fireEvent.change(within(dialog).getByLabelText('Value'), { target: { value: 'contoso value' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Store secret' }));
    await vi.waitFor(() => expect(seen.find((r) => r.method === 'POST')?.body).toEqual({ name: 'halo_secret', value: 'contoso value', description: '' }));
  });

  it('replaces a value without ever showing the old one', async () => {
    const { seen } = server({ 'PUT /api/secrets/s1': () => jsonResponse(halo) });
    renderApp('/secrets');

    fireEvent.click(await screen.findByRole('button', { name: 'Replace the value of halo_secret' }));
    const dialog = screen.getByRole('dialog', { name: 'Replace the value of halo_secret' });
    const input = within(dialog).getByLabelText('New value') as HTMLInputElement;
    expect([input.type, input.value]).toEqual(['password', '']);
    fireEvent.change(input, { target: { value: 'rotated' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Replace value' }));

    await vi.waitFor(() => expect(seen.find((r) => r.method === 'PUT')?.body).toEqual({ value: 'rotated' }));
  });

  it('explains a refused delete: the configuration entries that still use the secret', async () => {
    server({
      'DELETE /api/secrets/s1': () => problem(409, 'secrets.in_use', 'The configuration entries halo_key, psa_key refer to this secret; change them first.'),
    });
    renderApp('/secrets');

    fireEvent.click(await screen.findByRole('button', { name: 'Delete halo_secret' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete halo_secret?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete secret' }));

    const alert = await within(dialog).findByTestId('secret-in-use');
    expect(alert.textContent).toContain('halo_secret is still in use.');
    expect(alert.textContent).toContain('halo_key, psa_key');
    expect(within(dialog).getAllByRole('alert')).toHaveLength(1);
  });

  it('deletes an unused secret', async () => {
    const { seen } = server({ 'DELETE /api/secrets/s1': () => noContent() });
    renderApp('/secrets');

    fireEvent.click(await screen.findByRole('button', { name: 'Delete halo_secret' }));
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Delete secret' }));

    await vi.waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(seen.some((r) => r.method === 'DELETE' && r.path === '/api/secrets/s1')).toBe(true);
  });
});
