import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { jsonResponse, meResponse, mockServer, noContent, problem, renderApp, setCookie, signedOut } from '../test/render';

const providers = { items: [], registration: 'invite_only', setup_needed: false };
const emptyPage = () => jsonResponse({ items: [], next_cursor: null });

describe('route guards', () => {
  it('sends a signed-out visitor of a guarded page to /login with the way back', async () => {
    // A stale CSRF cookie: the browser asks, and the server says nobody is signed in.
    setCookie('bifrost_csrf', 'stale');
    const { seen } = mockServer({ 'GET /api/auth/me': signedOut, 'GET /api/auth/providers': () => jsonResponse(providers) });
    const { router } = renderApp('/users?search=ann');

    await screen.findByRole('heading', { name: 'Sign in' });
    expect(router.state.location.pathname).toBe('/login');
    expect(new URLSearchParams(router.state.location.search).get('redirect')).toBe('/users?search=ann');
    expect(seen.map((r) => r.path)).toContain('/api/auth/me');
  });

  it('does not even ask who is signed in without a session cookie', async () => {
    const { seen } = mockServer({ 'GET /api/auth/providers': () => jsonResponse(providers) });
    const { router } = renderApp('/');

    await screen.findByRole('heading', { name: 'Sign in' });
    expect(router.state.location.pathname).toBe('/login');
    expect(seen.map((r) => r.path)).toEqual(['/api/auth/providers']);
  });

  it('shows "not allowed" to a user without the permission, and no link to the page', async () => {
    setCookie('bifrost_csrf', 'tok');
    mockServer({ 'GET /api/auth/me': () => jsonResponse(meResponse()), 'GET /api/users': emptyPage });
    renderApp('/users');

    await screen.findByRole('heading', { name: 'Not allowed' });
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(nav.textContent).toContain('Home');
    expect(nav.textContent).not.toContain('Users');
    expect(nav.textContent).not.toContain('Organizations');
  });

  it('keeps organization users out of admin-only pages, whatever their permissions', async () => {
    setCookie('bifrost_csrf', 'tok');
    const { seen } = mockServer({
      'GET /api/auth/me': () => jsonResponse(meResponse({ permissions: ['users.manage', 'audit.view'] })),
    });
    renderApp('/organizations');

    await screen.findByRole('heading', { name: 'Not allowed' });
    expect(seen.some((r) => r.path.startsWith('/api/organizations'))).toBe(false);
    expect(screen.getByRole('navigation', { name: 'Main' }).textContent).toContain('Users');
  });

  it('lets a user with the permission in', async () => {
    setCookie('bifrost_csrf', 'tok');
    mockServer({
      'GET /api/auth/me': () => jsonResponse(meResponse({ permissions: ['users.manage'] })),
      'GET /api/users': emptyPage,
    });
    renderApp('/users');

    await screen.findByRole('heading', { name: 'Users' });
    await screen.findByText('No users here yet.');
  });

  it('goes to /login when the session cannot be refreshed', async () => {
    const { seen } = mockServer({
      'GET /api/auth/me': () => problem(401, 'auth.token_expired', 'The access token has expired.'),
      'POST /api/auth/refresh': () => problem(401, 'auth.invalid_refresh_token', 'Sign in again.'),
      'GET /api/auth/providers': () => jsonResponse(providers),
    });
    setCookie('bifrost_csrf', 'tok');
    const { router } = renderApp('/account');

    await screen.findByRole('heading', { name: 'Sign in' });
    expect(router.state.location.pathname).toBe('/login');
    expect(new URLSearchParams(router.state.location.search).get('redirect')).toBe('/account');
    await vi.waitFor(() => expect(seen.filter((r) => r.path === '/api/auth/refresh')).toHaveLength(1));
  });

  it('signs out to a plain /login, without a way back to the page left', async () => {
    setCookie('bifrost_csrf', 'tok');
    const { seen } = mockServer({
      'GET /api/auth/me': () => jsonResponse(meResponse()),
      'POST /api/auth/logout': () => noContent(),
      'GET /api/auth/providers': () => jsonResponse(providers),
    });
    const { router } = renderApp('/account');

    fireEvent.click(await screen.findByTestId('user-menu'));
    fireEvent.click(screen.getByRole('button', { name: 'Log out' }));

    await screen.findByRole('button', { name: 'Sign in' });
    expect(router.state.location.pathname + router.state.location.search).toBe('/login');
    expect(seen.find((r) => r.path === '/api/auth/logout')?.headers['X-CSRF-Token']).toBe('tok');
  });
});
