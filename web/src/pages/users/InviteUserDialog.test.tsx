import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { setSelectedOrganization } from '../../api/orgScope';
import { adminMe, jsonResponse, meResponse, mockServer, renderApp, setCookie } from '../../test/render';

const CONTOSO = '00000000-0000-4000-8000-0000000000c0';
const FABRIKAM = '00000000-0000-4000-8000-0000000000f0';
const org = (id: string, name: string) => ({ id, name, slug: name.toLowerCase(), is_active: true, settings: {}, created_at: '', updated_at: '' });
const invited = { id: 'u1', email: 'tech@contoso.com', name: '', is_active: true, is_superuser: false, is_verified: false, organization_id: CONTOSO, has_password: false, invitation_pending: true, roles: [], last_login_at: null, created_at: '', updated_at: '' };

function server(me = adminMe()) {
  setCookie('bifrost_csrf', 'tok');
  return mockServer({
    'GET /api/auth/me': () => jsonResponse(me),
    'GET /api/organizations': () => jsonResponse({ items: [org(CONTOSO, 'Contoso'), org(FABRIKAM, 'Fabrikam')], next_cursor: null }),
    'GET /api/users': () => jsonResponse({ items: [], next_cursor: null }),
    'GET /api/roles': () => jsonResponse({ items: [] }),
    'POST /api/users': () => jsonResponse(invited, 201),
  });
}

async function openInvite() {
  fireEvent.click(await screen.findByRole('button', { name: 'Invite user' }));
  return screen.getByRole('dialog', { name: 'Invite user' });
}

describe('InviteUserDialog', () => {
  it('asks a platform admin in "All organizations" which organization the user joins', async () => {
    const { seen } = server();
    renderApp('/users');
    const dialog = await openInvite();

    const select = within(dialog).getByLabelText('Organization') as HTMLSelectElement;
    await vi.waitFor(() => expect(select.options).toHaveLength(3));
    expect(select.value).toBe('');
    fireEvent.change(within(dialog).getByLabelText('Email'), { target: { value: 'tech@contoso.com' } });
    fireEvent.change(select, { target: { value: CONTOSO } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Invite' }));

    await screen.findByText('Invitation sent to tech@contoso.com.');
    const post = seen.find((r) => r.method === 'POST');
    expect(post?.body).toEqual({ email: 'tech@contoso.com', send_invitation: true, organization_id: CONTOSO, role_ids: [] });
    expect(post?.headers['X-CSRF-Token']).toBe('tok');
  });

  it('starts from the organization chosen in the switcher, and a platform admin needs none', async () => {
    setSelectedOrganization(FABRIKAM);
    const { seen } = server();
    renderApp('/users');
    const dialog = await openInvite();

    const select = within(dialog).getByLabelText('Organization') as HTMLSelectElement;
    expect(select.value).toBe(FABRIKAM);
    fireEvent.click(within(dialog).getByLabelText('Platform admin'));
    expect(within(dialog).queryByLabelText('Organization')).toBeNull();
    fireEvent.change(within(dialog).getByLabelText('Email'), { target: { value: 'root@example.com' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Invite' }));

    await vi.waitFor(() => expect(seen.some((r) => r.method === 'POST')).toBe(true));
    const post = seen.find((r) => r.method === 'POST');
    expect(post?.body).toEqual({ email: 'root@example.com', send_invitation: true, is_superuser: true });
    // The list itself follows the switcher; the invitation names its target explicitly.
    expect(seen.find((r) => r.path.startsWith('/api/users?'))?.headers['X-Organization-Id']).toBe(FABRIKAM);
    expect(post?.headers['X-Organization-Id']).toBeUndefined();
  });

  it('invites an organization user\'s colleague into their own organization without asking', async () => {
    const { seen } = server(meResponse({ permissions: ['users.manage'] }));
    renderApp('/users');
    const dialog = await openInvite();

    expect(within(dialog).queryByLabelText('Organization')).toBeNull();
    expect(within(dialog).queryByLabelText('Platform admin')).toBeNull();
    fireEvent.change(within(dialog).getByLabelText('Email'), { target: { value: 'new@contoso.com' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Invite' }));

    await vi.waitFor(() => expect(seen.some((r) => r.method === 'POST')).toBe(true));
    expect(seen.find((r) => r.method === 'POST')?.body).toEqual({ email: 'new@contoso.com', send_invitation: true, role_ids: [] });
    expect(seen.some((r) => r.path.startsWith('/api/organizations'))).toBe(false);
  });
});
