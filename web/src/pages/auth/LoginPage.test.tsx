import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { adminMe, jsonResponse, mockServer, problem, renderApp, setCookie, signedOut } from '../../test/render';

const providers = {
  items: [
    { name: 'microsoft', label: 'Microsoft', authorize_url: '/api/auth/oauth/microsoft/authorize' },
    { name: 'google', label: 'Google', authorize_url: '/api/auth/oauth/google/authorize' },
  ],
  registration: 'invite_only',
  setup_needed: false,
};

function fill(label: string, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe('LoginPage', () => {
  it('shows the field errors of a 422 problem next to their fields', async () => {
    const { seen } = mockServer({
      'GET /api/auth/me': signedOut,
      'GET /api/auth/providers': () => jsonResponse(providers),
      'POST /api/auth/login': () =>
        problem(422, 'request.invalid', 'The request has invalid fields.', [
          { field: 'email', code: 'required', message: 'is required' },
          { field: 'password', code: 'required', message: 'is required' },
        ]),
    });
    renderApp('/login');

    fireEvent.click(await screen.findByRole('button', { name: 'Sign in' }));

    const email = screen.getByLabelText('Email');
    await vi.waitFor(() => expect(email.getAttribute('aria-invalid')).toBe('true'));
    const describedBy = email.getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(describedBy)?.textContent).toBe('Is required');
    expect(screen.getByLabelText('Password').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByRole('alert').textContent).toContain('The request has invalid fields.');
    expect(screen.getByRole('alert').textContent).toContain('req-123');
    expect(seen.find((r) => r.path === '/api/auth/login')?.body).toEqual({ email: '', password: '' });
  });

  it('shows a button per provider that leads back to the redirect target', async () => {
    mockServer({ 'GET /api/auth/me': signedOut, 'GET /api/auth/providers': () => jsonResponse(providers) });
    renderApp('/login?redirect=%2Fusers');

    const group = await screen.findByRole('group', { name: 'Other ways to sign in' });
    const links = within(group).getAllByRole('link');
    expect(links.map((l) => l.textContent)).toEqual(['Continue with Microsoft', 'Continue with Google']);
    expect(links[0].getAttribute('href')).toBe('/api/auth/oauth/microsoft/authorize?redirect=%2Fusers');
  });

  it('explains a failed social sign-in', async () => {
    mockServer({ 'GET /api/auth/me': signedOut, 'GET /api/auth/providers': () => jsonResponse(providers) });
    renderApp('/login?error=no_account');

    expect((await screen.findByTestId('social-error')).textContent).toBe(
      'No account uses this email; ask an administrator for an invitation.',
    );
  });

  it('signs in and goes to the redirect target', async () => {
    let signedIn = false;
    const { seen } = mockServer({
      'GET /api/auth/me': () => (signedIn ? jsonResponse(adminMe()) : signedOut(seen[0])),
      'GET /api/auth/providers': () => jsonResponse(providers),
      'POST /api/auth/login': () => {
        signedIn = true;
        setCookie('bifrost_csrf', 'c');
        return jsonResponse({ access_token: 'ignored', refresh_token: 'ignored', token_type: 'bearer', expires_in: 900, csrf_token: 'c' });
      },
      'GET /api/audit-logs': () => jsonResponse({ items: [], next_cursor: null }),
      'GET /api/organizations': () => jsonResponse({ items: [], next_cursor: null }),
    });
    const { router } = renderApp('/login?redirect=%2Faudit');

    fill('Email', 'admin@example.com');
    fill('Password', 'correct horse battery');
    fireEvent.click(await screen.findByRole('button', { name: 'Sign in' }));

    await screen.findByRole('heading', { name: 'Audit log' });
    expect(router.state.location.pathname).toBe('/audit');
    expect(seen.find((r) => r.path === '/api/auth/login')?.body).toEqual({ email: 'admin@example.com', password: 'correct horse battery' });
    // Tokens in the body are ignored: the browser keeps the session in its cookies only.
    expect(JSON.stringify(localStorage)).not.toContain('ignored');
  });

  it('sends a new server to setup', async () => {
    mockServer({
      'GET /api/auth/me': signedOut,
      'GET /api/auth/providers': () => jsonResponse({ ...providers, setup_needed: true }),
      'GET /api/auth/setup': () => jsonResponse({ needed: true }),
    });
    const { router } = renderApp('/login');

    await screen.findByRole('heading', { name: 'Welcome to Bifrost' });
    expect(router.state.location.pathname).toBe('/setup');
  });
});
