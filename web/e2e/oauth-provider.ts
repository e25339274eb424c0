// A minimal OAuth 2.0 provider for the integrations journey when the suite runs on its own
// (`npm run e2e`); TestWebUIInChromium passes its Go twin (platform/testenv/oauth.go) instead,
// through BIFROST_E2E_OAUTH_URL. It knows one client and offers a consent page (GET /authorize,
// whose "Allow" and "Deny" post back to /authorize), a token endpoint for the authorization-code
// (with PKCE S256), refresh-token and client-credentials grants, and a protected GET /me.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** OAuthProvider is where the provider listens and the client it knows. */
export interface OAuthProvider {
  url: string;
  clientId: string;
  clientSecret: string;
  close: () => Promise<void>;
}

const EXPIRES_IN = 3600;

interface Code {
  redirectURI: string;
  challenge: string;
  scope: string;
}

/**
 * oauthProvider returns the provider TestWebUIInChromium started (BIFROST_E2E_OAUTH_*), or starts
 * one on a free loopback port.
 */
export async function oauthProvider(): Promise<OAuthProvider> {
  const url = process.env.BIFROST_E2E_OAUTH_URL;
  if (url) {
    return {
      url,
      clientId: process.env.BIFROST_E2E_OAUTH_CLIENT_ID ?? '',
      clientSecret: process.env.BIFROST_E2E_OAUTH_CLIENT_SECRET ?? '',
      close: async () => {},
    };
  }
  return startOAuthProvider('e2e-client', randomBytes(12).toString('hex'));
}

/** startOAuthProvider starts the fake provider for one client. */
export async function startOAuthProvider(clientId: string, clientSecret: string): Promise<OAuthProvider> {
  const codes = new Map<string, Code>();
  const refreshTokens = new Set<string>();
  const accessTokens = new Map<string, number>(); // token -> expiry (ms)
  const token = (prefix: string) => `${prefix}-${randomBytes(12).toString('base64url')}`;

  const checkAuthorize = (q: URLSearchParams): string => {
    if (q.get('response_type') !== 'code') return 'response_type must be code';
    if (q.get('client_id') !== clientId) return 'unknown client_id';
    if (!q.get('redirect_uri')) return 'redirect_uri is required';
    if (q.get('code_challenge') && q.get('code_challenge_method') !== 'S256') return 'only S256 challenges';
    return '';
  };

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(err));
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const u = new URL(req.url ?? '/', 'http://provider');
    const route = `${req.method} ${u.pathname}`;
    if (route === 'GET /authorize' || route === 'POST /authorize') {
      const problem = checkAuthorize(u.searchParams);
      if (problem) return text(res, 400, problem);
      if (req.method === 'GET') return consent(res, u.searchParams);
      const form = new URLSearchParams(await readBody(req));
      return decide(res, u.searchParams, form.get('decision') === 'allow');
    }
    if (route === 'POST /token') return tokenEndpoint(req, res);
    if (route === 'GET /me') {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const exp = bearer ? accessTokens.get(bearer) : undefined;
      if (!exp || exp < Date.now()) return json(res, 401, { error: 'invalid_token', error_description: 'missing, unknown or expired access token' });
      return json(res, 200, { name: 'Test User' });
    }
    if (route === 'GET /favicon.ico') {
      res.writeHead(204);
      return res.end();
    }
    text(res, 404, 'not found');
  }

  function consent(res: http.ServerResponse, q: URLSearchParams) {
    const page = `<!doctype html>
<html><head><title>Test provider: consent</title></head>
<body>
<h1>Test provider</h1>
<p>Allow <strong>${escapeHTML(q.get('client_id') ?? '')}</strong> to access: ${escapeHTML(q.get('scope') ?? '')}</p>
<form method="post" action="/authorize?${escapeHTML(q.toString())}">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>
</body></html>`;
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(page);
  }

  function decide(res: http.ServerResponse, q: URLSearchParams, allow: boolean) {
    const back = new URL(q.get('redirect_uri')!);
    back.searchParams.set('state', q.get('state') ?? '');
    if (allow) {
      const code = token('code');
      codes.set(code, { redirectURI: q.get('redirect_uri')!, challenge: q.get('code_challenge') ?? '', scope: q.get('scope') ?? '' });
      back.searchParams.set('code', code);
    } else {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user declined.');
    }
    res.writeHead(302, { Location: back.toString() });
    res.end();
  }

  async function tokenEndpoint(req: http.IncomingMessage, res: http.ServerResponse) {
    const form = new URLSearchParams(await readBody(req));
    // RFC 6749 §2.3.1: Basic credentials are form-encoded before base64.
    let id = form.get('client_id') ?? '';
    let secret = form.get('client_secret') ?? '';
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (basic) {
      const [i, ...s] = Buffer.from(basic, 'base64').toString('utf8').split(':');
      id = decodeURIComponent(i.replace(/\+/g, ' '));
      secret = decodeURIComponent(s.join(':').replace(/\+/g, ' '));
    }
    if (id !== clientId || secret !== clientSecret) return oauthError(res, 401, 'invalid_client', 'unknown client or wrong secret');

    const grant = form.get('grant_type');
    let scope = form.get('scope') ?? '';
    switch (grant) {
      case 'authorization_code': {
        const code = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        if (!code) return oauthError(res, 400, 'invalid_grant', 'unknown or used code');
        if (code.redirectURI !== form.get('redirect_uri')) return oauthError(res, 400, 'invalid_grant', 'redirect_uri differs');
        if (code.challenge && s256(form.get('code_verifier') ?? '') !== code.challenge) return oauthError(res, 400, 'invalid_grant', 'PKCE verification failed');
        scope = code.scope;
        break;
      }
      case 'refresh_token': {
        const rt = form.get('refresh_token') ?? '';
        if (!refreshTokens.delete(rt)) return oauthError(res, 400, 'invalid_grant', 'unknown or already used refresh token');
        break;
      }
      case 'client_credentials':
        break;
      default:
        return oauthError(res, 400, 'unsupported_grant_type', grant ?? '');
    }
    const access = token('access');
    accessTokens.set(access, Date.now() + EXPIRES_IN * 1000);
    const body: Record<string, unknown> = { access_token: access, token_type: 'Bearer', expires_in: EXPIRES_IN };
    if (scope) body.scope = scope;
    if (grant !== 'client_credentials') {
      const rt = token('refresh');
      refreshTokens.add(rt);
      body.refresh_token = rt;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(body));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    clientId,
    clientSecret,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function text(res: http.ServerResponse, status: number, body: string) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(body);
}

function json(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function oauthError(res: http.ServerResponse, status: number, error: string, description: string) {
  json(res, status, { error, error_description: description });
}

function escapeHTML(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
