import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Integration } from '../../api/types';
import { adminMe, jsonResponse, mockServer, problem, renderApp, setCookie } from '../../test/render';
import { browser } from './leave';

const CALLBACK = 'https://bifrost.example.com/api/integrations/callback';

function integration(over: Partial<Integration>): Integration {
  return {
    id: 'i1', organization_id: null, name: 'graph', description: '', flow: 'authorization_code', client_id: 'app', has_client_secret: true,
    authorization_url: 'https://login.example.com/authorize', token_url: 'https://login.example.com/token', scopes: [], params: {}, use_pkce: true,
    test_url: '', redirect_uri: CALLBACK, status: 'not_connected', status_message: '', expires_at: null, last_refreshed_at: null, inherited: false,
    created_at: '', updated_at: '', ...over,
  };
}

function server(items: Integration[], extra: Parameters<typeof mockServer>[0] = {}) {
  setCookie('bifrost_csrf', 'tok');
  return mockServer({
    'GET /api/auth/me': () => jsonResponse(adminMe()),
    'GET /api/organizations': () => jsonResponse({ items: [], next_cursor: null }),
    'GET /api/integrations': () => jsonResponse({ items }),
    ...extra,
  });
}

describe('IntegrationsPage', () => {
  it('shows each status with its colour, the failure reason, and Connect (or Reconnect) only for the authorization code flow', async () => {
    server([
      integration({ id: 'a', name: 'graph', status: 'completed', expires_at: '2999-01-01T00:00:00Z' }),
      integration({ id: 'b', name: 'halo', flow: 'client_credentials', status: 'failed', status_message: 'Fetching a client-credentials token failed: invalid_client' }),
      integration({ id: 'c', name: 'shared', flow: 'client_credentials', status: 'completed', inherited: true, organization_id: null }),
    ]);
    renderApp('/integrations');

    const graph = await screen.findByTestId('integration-row-graph');
    expect(within(graph).getByTestId('integration-status').dataset.status).toBe('completed');
    expect(within(graph).getByText('Completed').className).toContain('pill-ok');
    expect(within(graph).getByRole('button', { name: 'Reconnect graph' })).toBeTruthy();

    const halo = screen.getByTestId('integration-row-halo');
    expect(within(halo).getByText('Failed').className).toContain('pill-bad');
    expect(halo.textContent).toContain('invalid_client');
    expect(within(halo).queryByRole('button', { name: 'Connect halo' })).toBeNull();
    expect(within(halo).getByRole('button', { name: 'Refresh now halo' })).toBeTruthy();

    // A global integration seen from an organization: tested, not changed.
    const shared = screen.getByTestId('integration-row-shared');
    expect(within(shared).getAllByRole('button').map((b) => b.textContent)).toEqual(['Test']);
  });

  it('adapts the form to the flow and shows the redirect URI to register', async () => {
    server([integration({})]);
    renderApp('/integrations');

    fireEvent.click(await screen.findByRole('button', { name: 'New integration' }));
    const dialog = screen.getByRole('dialog', { name: 'New integration' });
    const has = (label: string) => within(dialog).queryByLabelText(label) !== null;

    expect([has('Authorization URL'), has('Use PKCE (S256)'), has('Refresh token'), has('Redirect URI')]).toEqual([true, true, false, true]);
    expect((within(dialog).getByLabelText('Redirect URI') as HTMLInputElement).value).toBe(CALLBACK);
    expect((within(dialog).getByLabelText('Client secret') as HTMLInputElement).type).toBe('password');

    fireEvent.change(within(dialog).getByLabelText('Flow'), { target: { value: 'refresh_token' } });
    expect([has('Authorization URL'), has('Use PKCE (S256)'), has('Refresh token'), has('Redirect URI')]).toEqual([false, false, true, false]);

    fireEvent.change(within(dialog).getByLabelText('Flow'), { target: { value: 'client_credentials' } });
    expect([has('Authorization URL'), has('Refresh token')]).toEqual([false, false]);
  });

  it('says "leave blank to keep" for the client secret when editing, and sends none unless typed', async () => {
    const { seen } = server([integration({})], { 'PUT /api/integrations/i1': () => jsonResponse(integration({})) });
    renderApp('/integrations');

    fireEvent.click(await screen.findByRole('button', { name: 'Edit graph' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit graph' });
    expect(within(dialog).getByText('A secret is stored. Leave blank to keep it.')).toBeTruthy();
    fireEvent.change(within(dialog).getByLabelText('Scopes'), { target: { value: 'offline_access, User.Read' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));

    await vi.waitFor(() => expect(seen.some((r) => r.method === 'PUT')).toBe(true));
    const body = seen.find((r) => r.method === 'PUT')?.body as Record<string, unknown>;
    expect(body.scopes).toEqual(['offline_access', 'User.Read']);
    expect(body).not.toHaveProperty('client_secret');
  });

  it('connects by sending the browser to the provider’s consent page', async () => {
    const url = 'https://login.example.com/authorize?client_id=app&state=s';
    const { seen } = server([integration({})], {
      'POST /api/integrations/i1/authorize': () => jsonResponse({ authorize_url: url, redirect_uri: CALLBACK, expires_at: '2999-01-01T00:00:00Z' }),
    });
    renderApp('/integrations');

    const leave = vi.spyOn(browser, 'leaveTo').mockImplementation(() => {});
    fireEvent.click(await screen.findByRole('button', { name: 'Connect graph' }));

    await vi.waitFor(() => expect(leave).toHaveBeenCalledWith(url));
    expect(seen.find((r) => r.method === 'POST')?.headers['X-CSRF-Token']).toBe('tok');
  });

  it('shows a test’s result, and the provider’s reason when a refresh fails', async () => {
    server([integration({ flow: 'client_credentials', status: 'completed' })], {
      'POST /api/integrations/i1/test': () => jsonResponse({ ok: true, message: 'The test URL answered 200 OK with the token.', status_code: 200, expires_at: null }),
      'POST /api/integrations/i1/refresh': () => problem(502, 'integrations.refresh_failed', 'Fetching a client-credentials token failed: invalid_client (wrong secret)'),
    });
    renderApp('/integrations');

    fireEvent.click(await screen.findByRole('button', { name: 'Test graph' }));
    const result = await screen.findByTestId('integration-test-result');
    expect(result.textContent).toContain('Test of graph passed: The test URL answered 200 OK with the token.');

    fireEvent.click(screen.getByRole('button', { name: 'Refresh now graph' }));
    const alert = await screen.findByText(/invalid_client \(wrong secret\)/);
    expect(alert.closest('[role=alert]')).toBeTruthy();
    expect(screen.queryByTestId('integration-test-result')).toBeNull();
  });
});
