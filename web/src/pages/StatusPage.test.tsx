import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { jsonResponse, problem, renderApp } from '../test/render';

const allOk = {
  status: 'ok',
  version: '0.1.0',
  components: {
    database: { status: 'ok', latency_ms: 1.2 },
    broker: { status: 'ok', latency_ms: 0.4 },
    redis: { status: 'ok', latency_ms: 0.3 },
  },
};

const redisDown = {
  status: 'unavailable',
  version: '0.1.0',
  components: {
    database: { status: 'ok', latency_ms: 1.2 },
    broker: { status: 'ok', latency_ms: 0.4 },
    redis: { status: 'unavailable', latency_ms: 1000, error: 'timeout' },
  },
};

// The page is public: nobody is signed in, and every other request gets impl's answer.
function mockFetch(impl: () => Promise<Response>) {
  const fetchMock = vi.fn((input: RequestInfo | URL) =>
    String(input) === '/api/auth/me' ? Promise.resolve(problem(401, 'auth.unauthenticated', 'Sign in.')) : impl(),
  );
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

describe('StatusPage', () => {
  it('shows the product name and subtitle', async () => {
    mockFetch(async () => jsonResponse(allOk));
    renderApp('/status');
    expect(screen.getByRole('heading', { level: 1, name: 'Bifrost' })).toBeTruthy();
    expect(screen.getByText('Automation platform for MSPs')).toBeTruthy();
    await screen.findByText('All systems operational');
  });

  it('shows every component ok when /ready answers 200', async () => {
    const fetchMock = mockFetch(async () => jsonResponse(allOk));
    renderApp('/status');

    const overall = await screen.findByTestId('overall-status');
    await vi.waitFor(() => expect(overall.textContent).toBe('All systems operational'));
    for (const name of ['database', 'broker', 'redis']) {
      expect(within(screen.getByTestId(`component-${name}`)).getByTestId('component-status').textContent).toBe('ok');
    }
    expect(screen.getByTestId('component-database').textContent).toContain('Database (PostgreSQL)');
    expect(screen.getByTestId('component-broker').textContent).toContain('Message broker (RabbitMQ)');
    expect(screen.getByTestId('component-redis').textContent).toContain('Cache (Redis)');
    expect(screen.getByTestId('server-version').textContent).toContain('0.1.0');
    expect(fetchMock).toHaveBeenCalledWith('/ready', expect.objectContaining({ method: 'GET' }));
  });

  it('reads the body of a 503 and shows the degraded component', async () => {
    mockFetch(async () => jsonResponse(redisDown, 503));
    renderApp('/status');

    await screen.findByText('Degraded');
    expect(screen.getByTestId('overall-status').textContent).toBe('Degraded');
    const redis = screen.getByTestId('component-redis');
    expect(within(redis).getByTestId('component-status').textContent).toBe('unavailable');
    expect(redis.textContent).toContain('timeout');
    expect(within(screen.getByTestId('component-database')).getByTestId('component-status').textContent).toBe('ok');
    expect(screen.queryByText(/Cannot reach the Bifrost server/)).toBeNull();
  });

  it('says the server cannot be reached when fetch fails', async () => {
    mockFetch(async () => {
      throw new TypeError('Failed to fetch');
    });
    renderApp('/status');

    await screen.findByText(/Cannot reach the Bifrost server/, undefined, { timeout: 3000 });
    expect(screen.getByTestId('overall-status').textContent).toBe('Unreachable');
    expect(screen.queryByTestId('component-database')).toBeNull();
  });

  it('treats a bad gateway as an unreachable server', async () => {
    mockFetch(async () => new Response('bad gateway', { status: 502 }));
    renderApp('/status');

    await screen.findByText(/Cannot reach the Bifrost server/, undefined, { timeout: 3000 });
  });

  it('reports another error status with its problem detail', async () => {
    mockFetch(async () =>
      new Response(JSON.stringify({ title: 'Internal Server Error', status: 500, detail: 'internal error' }), {
        status: 500,
        headers: { 'Content-Type': 'application/problem+json' },
      }),
    );
    renderApp('/status');

    const alert = await screen.findByTestId('status-error', undefined, { timeout: 3000 });
    expect(alert.textContent).toContain('HTTP 500 internal error');
    expect(screen.getByTestId('overall-status').textContent).toBe('Status unknown');
  });
});

describe('routing', () => {
  it('shows the not-found page inside the layout for an unknown path', async () => {
    mockFetch(async () => jsonResponse(allOk));
    renderApp('/some/front-end/route');

    expect(screen.getByRole('heading', { name: 'Page not found' })).toBeTruthy();
    expect(screen.getByText('/some/front-end/route')).toBeTruthy();
    expect(screen.getByRole('navigation', { name: 'Main' }).textContent).toContain('Bifrost');
    // Signed out: the public links and a way to sign in, nothing that needs an account.
    expect(await screen.findByRole('link', { name: 'Sign in' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Users' })).toBeNull();
  });
});
