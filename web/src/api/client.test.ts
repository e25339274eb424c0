import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse, mockServer, noContent, problem, setCookie } from '../test/render';
import { ApiError, api, onSessionEnded } from './client';
import { setSelectedOrganization } from './orgScope';

const ORG = '6c4a7ae3-ce94-4557-8502-d1c5ae57135c';
const org = { id: ORG, name: 'Contoso', slug: 'contoso', is_active: true, settings: {}, created_at: '', updated_at: '' };

afterEach(() => setSelectedOrganization(null));

describe('api client: CSRF', () => {
  it('sends the CSRF cookie as X-CSRF-Token on a POST, read at request time', async () => {
    const { seen } = mockServer({ 'POST /api/organizations': () => jsonResponse(org, 201) });
    setCookie('bifrost_csrf', 'first');
    await api.post('/api/organizations', { body: { name: 'Contoso' } });
    setCookie('bifrost_csrf', 'second');
    await api.post('/api/organizations', { body: { name: 'Contoso' } });

    expect(seen.map((r) => r.headers['X-CSRF-Token'])).toEqual(['first', 'second']);
    expect(seen[0].headers['Content-Type']).toBe('application/json');
    expect(seen[0].body).toEqual({ name: 'Contoso' });
  });

  it('sends it on PATCH and DELETE, never on GET', async () => {
    const { seen } = mockServer({
      'GET /api/organizations': () => jsonResponse({ items: [org], next_cursor: null }),
      [`PATCH /api/organizations/${ORG}`]: () => jsonResponse(org),
      [`DELETE /api/organizations/${ORG}`]: () => noContent(),
    });
    setCookie('bifrost_csrf', 'tok');
    const page = await api.get('/api/organizations', { query: { search: 'con', active: 'true' } });
    await api.patch('/api/organizations/{id}', { params: { id: ORG }, body: { name: 'Contoso Ltd' } });
    const gone = await api.delete('/api/organizations/{id}', { params: { id: ORG } });

    expect(page.items[0].name).toBe('Contoso');
    expect(gone).toBeUndefined();
    expect(seen.map((r) => `${r.method} ${r.path} ${r.headers['X-CSRF-Token'] ?? '-'}`)).toEqual([
      'GET /api/organizations?search=con&active=true -',
      `PATCH /api/organizations/${ORG} tok`,
      `DELETE /api/organizations/${ORG} tok`,
    ]);
  });
  it('sends it on PUT, with the JSON body', async () => {
    const secret = { id: ORG, organization_id: null, name: 'k', description: '', created_at: '', updated_at: '' };
    const { seen } = mockServer({ [`PUT /api/secrets/${ORG}`]: () => jsonResponse(secret) });
    setCookie('bifrost_csrf', 'tok');
    await api.put('/api/secrets/{id}', { params: { id: ORG }, body: { value: 'v' } });

    expect(seen.map((r) => [r.method, r.headers['X-CSRF-Token'], r.body])).toEqual([['PUT', 'tok', { value: 'v' }]]);
  });
});

describe('api client: errors', () => {
  it('turns a problem into an ApiError with its code, detail, fields and request id', async () => {
    mockServer({
      'POST /api/auth/login': () =>
        problem(422, 'request.invalid', 'The request has invalid fields.', [{ field: 'email', code: 'required', message: 'is required' }]),
    });
    const err = await api.post('/api/auth/login', { body: { email: '', password: 'x' } }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ApiError);
    const e = err as ApiError;
    expect([e.status, e.code, e.detail, e.requestId]).toEqual([422, 'request.invalid', 'The request has invalid fields.', 'req-123']);
    expect(e.fields).toEqual({ email: 'is required' });
  });
});

describe('api client: session refresh', () => {
  it('refreshes once on auth.token_expired and retries the request', async () => {
    let expired = true;
    const { seen } = mockServer({
      'GET /api/users': () => (expired ? problem(401, 'auth.token_expired', 'expired') : jsonResponse({ items: [], next_cursor: null })),
      'POST /api/auth/refresh': () => {
        expired = false;
        return jsonResponse({});
      },
    });
    setCookie('bifrost_csrf', 'tok');

    await expect(api.get('/api/users')).resolves.toEqual({ items: [], next_cursor: null });
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/users', 'POST /api/auth/refresh', 'GET /api/users']);
    // The refresh is state-changing: it carries the CSRF token, and no body.
    expect(seen[1].headers['X-CSRF-Token']).toBe('tok');
    expect(seen[1].body).toBeUndefined();
  });

  it('makes concurrent 401s share one refresh', async () => {
    let expired = true;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { seen } = mockServer({
      'GET /api/roles': () => (expired ? problem(401, 'auth.token_expired', 'expired') : jsonResponse({ items: [] })),
      'GET /api/permissions': () => (expired ? problem(401, 'auth.token_expired', 'expired') : jsonResponse({ items: [] })),
      'POST /api/auth/refresh': async () => {
        await gate;
        expired = false;
        return jsonResponse({});
      },
    });
    setCookie('bifrost_csrf', 'tok');

    const all = Promise.all([api.get('/api/roles'), api.get('/api/permissions'), api.get('/api/roles')]);
    await vi.waitFor(() => expect(seen.filter((r) => r.path === '/api/auth/refresh')).toHaveLength(1));
    release();
    await expect(all).resolves.toHaveLength(3);
    expect(seen.filter((r) => r.path === '/api/auth/refresh')).toHaveLength(1);
  });

  it('ends the session when the refresh fails, and does not retry', async () => {
    const ended = vi.fn();
    const restore = onSessionEnded(ended);
    const { seen } = mockServer({
      'GET /api/users': () => problem(401, 'auth.token_expired', 'expired'),
      'POST /api/auth/refresh': () => problem(401, 'auth.refresh_token_reused', 'reused'),
    });
    setCookie('bifrost_csrf', 'tok');
    try {
      const err = await api.get('/api/users').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe('auth.token_expired');
      expect(ended).toHaveBeenCalledTimes(1);
      expect(seen.map((r) => r.path)).toEqual(['/api/users', '/api/auth/refresh']);
      // The script-readable cookie is gone, so later requests do not try again.
      expect(document.cookie).not.toContain('bifrost_csrf');
    } finally {
      restore();
    }
  });

  it('does not refresh after a wrong password or without a session', async () => {
    const ended = vi.fn();
    const restore = onSessionEnded(ended);
    const { seen } = mockServer({
      'POST /api/auth/login': () => problem(401, 'auth.invalid_credentials', 'The email or password is incorrect.'),
      'GET /api/auth/me': () => problem(401, 'auth.unauthenticated', 'Sign in.'),
    });
    try {
      await expect(api.post('/api/auth/login', { body: { email: 'a@b.c', password: 'nope' } })).rejects.toThrow('incorrect');
      await expect(api.get('/api/auth/me')).rejects.toThrow('Sign in.');
      expect(seen.map((r) => r.path)).toEqual(['/api/auth/login', '/api/auth/me']);
      expect(ended).not.toHaveBeenCalled();
    } finally {
      restore();
    }
  });

  it('resumes a session whose access cookie lapsed while the CSRF cookie remains', async () => {
    let lapsed = true;
    const { seen } = mockServer({
      'GET /api/auth/me': () => (lapsed ? problem(401, 'auth.unauthenticated', 'Sign in.') : jsonResponse({ id: 'u' })),
      'POST /api/auth/refresh': () => {
        lapsed = false;
        return jsonResponse({});
      },
    });
    setCookie('bifrost_csrf', 'tok');
    await api.get('/api/auth/me');
    expect(seen.map((r) => r.path)).toEqual(['/api/auth/me', '/api/auth/refresh', '/api/auth/me']);
  });
});

describe('api client: organization scope', () => {
  it('adds X-Organization-Id when an organization is selected, unless the call is unscoped', async () => {
    const { seen } = mockServer({
      'GET /api/users': () => jsonResponse({ items: [], next_cursor: null }),
      'GET /api/organizations': () => jsonResponse({ items: [org], next_cursor: null }),
    });
    await api.get('/api/users');
    setSelectedOrganization(ORG);
    await api.get('/api/users');
    await api.get('/api/organizations', { scoped: false });
    setSelectedOrganization(null);
    await api.get('/api/users');

    expect(seen.map((r) => r.headers['X-Organization-Id'] ?? '-')).toEqual(['-', ORG, '-', '-']);
    expect(localStorage.getItem('bifrost.organization')).toBeNull();
  });
});
