import { QueryClient } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { createMemoryRouter } from 'react-router';
import { vi } from 'vitest';
import { App } from '../app/App';
import { routes } from '../app/routes';
import type { Me } from '../api/types';

/** renderApp mounts the whole app at path with a fresh query cache and in-memory history. */
export function renderApp(path = '/') {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { gcTime: Infinity, retryDelay: 1 } },
  });
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const view = render(<App queryClient={queryClient} router={router} />);
  return { ...view, router, queryClient };
}

/** jsonResponse builds a fetch Response with a JSON body. */
export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

/** problem builds an application/problem+json answer like the server's. */
export function problem(status: number, code: string, detail: string, errors?: { field: string; code: string; message: string }[]): Response {
  return new Response(JSON.stringify({ type: 'about:blank', title: 'Error', status, code, detail, request_id: 'req-123', errors }), {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
  });
}

/** noContent is a 204 answer. */
export function noContent(): Response {
  return new Response(null, { status: 204 });
}

export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

type Route = (req: SeenRequest) => Response | Promise<Response>;

/**
 * mockServer stubs fetch with routes keyed "METHOD /path" (the query string is ignored); any
 * other request is a 404 problem. It returns the requests seen, in order.
 */
export function mockServer(routes: Record<string, Route>) {
  const seen: SeenRequest[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://localhost');
    const req: SeenRequest = {
      method: init?.method ?? 'GET',
      path: url.pathname + url.search,
      headers: { ...((init?.headers as Record<string, string> | undefined) ?? {}) },
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    seen.push(req);
    const route = routes[`${req.method} ${url.pathname}`];
    return route ? route(req) : problem(404, 'request.not_found', `No route ${req.method} ${url.pathname}`);
  });
  vi.stubGlobal('fetch', fetchMock);
  return { seen, fetchMock };
}

/** signedOut answers /api/auth/me as the server does without a session. */
export const signedOut: Route = () => problem(401, 'auth.unauthenticated', 'Sign in.');

/** meResponse builds a /api/auth/me answer. */
export function meResponse(overrides: Partial<Me> = {}): Me {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    email: 'tech@contoso.com',
    name: 'Tess Tech',
    is_superuser: false,
    is_verified: true,
    organization: { id: '00000000-0000-4000-8000-0000000000c0', name: 'Contoso', slug: 'contoso' },
    roles: [],
    permissions: [],
    auth_method: 'cookie',
    ...overrides,
  };
}

/** adminMe is a platform admin's /api/auth/me answer. */
export function adminMe(): Me {
  return meResponse({
    email: 'admin@example.com',
    name: 'Ada Admin',
    is_superuser: true,
    organization: null,
    permissions: ['users.manage', 'audit.view'],
  });
}

/** setCookie sets a cookie scripts can read, as the server's bifrost_csrf. */
export function setCookie(name: string, value: string) {
  document.cookie = `${name}=${value}; Path=/`;
}

/** clearCookies removes every cookie of the test document. */
export function clearCookies() {
  for (const part of document.cookie.split(';')) {
    const name = part.split('=')[0]?.trim();
    if (name) document.cookie = `${name}=; Max-Age=0; Path=/`;
  }
}
