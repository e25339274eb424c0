import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { adminMe, jsonResponse, meResponse, mockServer, problem, renderApp, setCookie } from '../../test/render';

const ID = '6c4a7ae3-ce94-4557-8502-d1c5ae57135c';
const graph = { id: ID, name: 'microsoft_graph', status: 'completed' };

function server(me = adminMe()) {
  setCookie('bifrost_csrf', 'tok');
  return mockServer({
    'GET /api/auth/me': () => jsonResponse(me),
    'GET /api/organizations': () => jsonResponse({ items: [], next_cursor: null }),
    [`GET /api/integrations/${ID}`]: () => jsonResponse(graph),
  });
}

describe('IntegrationCallbackPage', () => {
  it('says which integration connected, with the way back to the list', async () => {
    server();
    renderApp(`/integrations/callback?integration=${ID}&status=completed`);

    expect((await screen.findByTestId('callback-success')).textContent).toContain('microsoft_graph is connected.');
    expect(screen.getByRole('link', { name: 'Back to Integrations' }).getAttribute('href')).toBe('/integrations');
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeTruthy();
  });

  it('shows the server’s message when connecting failed', async () => {
    server();
    const message = 'The provider refused: access_denied (The user declined.)';
    renderApp(`/integrations/callback?error=integrations.connect_failed&message=${encodeURIComponent(message)}&integration=${ID}`);

    const alert = await screen.findByTestId('callback-error');
    expect(alert.textContent).toContain(message);
    expect(alert.textContent).toContain('integrations.connect_failed');
    expect(await screen.findByText('Connecting microsoft_graph failed.')).toBeTruthy();
    expect(screen.queryByTestId('callback-success')).toBeNull();
  });

  it('explains an expired attempt without an integration, from the code alone', async () => {
    server();
    renderApp('/integrations/callback?error=integrations.invalid_state');

    expect((await screen.findByTestId('callback-error')).textContent).toContain('Start connecting again.');
  });

  it('still reports success when the integration cannot be read in the current scope', async () => {
    setCookie('bifrost_csrf', 'tok');
    mockServer({
      'GET /api/auth/me': () => jsonResponse(adminMe()),
      'GET /api/organizations': () => jsonResponse({ items: [], next_cursor: null }),
      [`GET /api/integrations/${ID}`]: () => problem(404, 'integrations.not_found', 'No integration has this id.'),
    });
    renderApp(`/integrations/callback?integration=${ID}&status=completed`);

    expect((await screen.findByTestId('callback-success')).textContent).toContain('The integration is connected.');
  });

  it('sends a signed-out visitor to sign in first, then back here', async () => {
    setCookie('bifrost_csrf', 'stale');
    mockServer({
      'GET /api/auth/me': () => problem(401, 'auth.unauthenticated', 'Sign in.'),
      'GET /api/auth/providers': () => jsonResponse({ items: [], registration: 'invite_only', setup_needed: false }),
    });
    const here = `/integrations/callback?integration=${ID}&status=completed`;
    const { router } = renderApp(here);

    await screen.findByRole('heading', { name: 'Sign in' });
    expect(new URLSearchParams(router.state.location.search).get('redirect')).toBe(here);
  });

  it('is closed to users without integrations.manage', async () => {
    server(meResponse({ permissions: ['config.manage'] }));
    renderApp(`/integrations/callback?integration=${ID}&status=completed`);

    expect(await screen.findByRole('heading', { name: 'Not allowed' })).toBeTruthy();
  });
});
