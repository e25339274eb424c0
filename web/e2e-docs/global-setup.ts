// Serves platform/httpx/docs.html the way the Go server does (with a CSP that allows its one
// inline script by hash) next to a sample OpenAPI document and a few echo endpoints.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const DOCS_HTML = path.resolve(here, '../../platform/httpx/docs.html');
const SAMPLE_SPEC = path.resolve(here, 'sample-openapi.json');

/** scriptHash is the CSP source for the single inline script of an HTML page. */
export function scriptHash(html: string): string {
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)];
  if (scripts.length !== 1) throw new Error(`docs.html must have exactly one <script>, found ${scripts.length}`);
  return `'sha256-${createHash('sha256').update(scripts[0][1], 'utf8').digest('base64')}'`;
}

function csp(hash: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' ${hash}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

function json(res: http.ServerResponse, status: number, body: unknown, type = 'application/json') {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');

  if (url.pathname === '/api/docs' && req.method === 'GET') {
    // Read on every request so edits show up without restarting.
    const html = await readFile(DOCS_HTML, 'utf8');
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': csp(scriptHash(html)),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    });
    res.end(html);
    return;
  }
  if (url.pathname === '/api/openapi.json') {
    json(res, 200, JSON.parse(await readFile(SAMPLE_SPEC, 'utf8')));
    return;
  }
  if (url.pathname === '/ready') {
    json(res, 200, { status: 'ok', version: '9.9.9-test', components: { database: { status: 'ok', latency_ms: 1 } } });
    return;
  }
  if (url.pathname.startsWith('/api/items')) {
    const id = decodeURIComponent(url.pathname.slice('/api/items/'.length));
    if (id === 'missing') {
      json(res, 404, { title: 'Not Found', status: 404, code: 'items.not_found' }, 'application/problem+json');
      return;
    }
    json(res, req.method === 'POST' ? 201 : 200, {
      method: req.method,
      id,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization ?? null,
      organization: req.headers['x-organization-id'] ?? null,
      contentType: req.headers['content-type'] ?? null,
      body: body ? JSON.parse(body) : null,
    });
    return;
  }
  json(res, 404, { title: 'Not Found', status: 404 }, 'application/problem+json');
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (!addr || typeof addr !== 'object') throw new Error('docs test server has no address');
  process.env.DOCS_BASE_URL = `http://127.0.0.1:${addr.port}`;
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
