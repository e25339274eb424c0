// The one typed client for the Bifrost HTTP API. Every request the UI makes goes through here,
// so cookies, CSRF, session refresh, the organization scope and error decoding live in one place.
//
// Types come from schema.d.ts, generated from openapi.json by `npm run gen:api`: a path, its
// parameters, its body and its answer are all checked against the server's document.
import { ApiError, NetworkError, toApiError } from './errors';
import { getSelectedOrganization } from './orgScope';
import type { components, paths } from './schema';

export { ApiError, NetworkError, fieldError, type ProblemDetails } from './errors';

export type ReadyResponse = components['schemas']['ReadyResponse'];
export type ComponentStatus = components['schemas']['ComponentStatus'];

const CSRF_COOKIE = 'bifrost_csrf';
const CSRF_HEADER = 'X-CSRF-Token';
const ORG_HEADER = 'X-Organization-Id';
const REFRESH_PATH = '/api/auth/refresh';

// 401 codes after which the refresh cookie may still resume the session.
const REFRESHABLE = new Set(['auth.token_expired', 'auth.session_revoked', 'auth.invalid_token']);

// ---- Types derived from the OpenAPI document -------------------------------------------------

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** PathsWith lists the paths that have an operation for method. */
export type PathsWith<M extends Method> = {
  [P in keyof paths]: paths[P] extends Record<M, infer O> ? (O extends undefined ? never : P) : never;
}[keyof paths];

type Operation<M extends Method, P extends PathsWith<M>> = paths[P][M];

type PathParams<O> = O extends { parameters: { path: infer X } } ? X : never;
type QueryParams<O> = O extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
type JsonBody<O> = O extends { requestBody: { content: { 'application/json': infer B } } } ? B : never;
// A body the server documents as optional.
type OptionalJsonBody<O> = O extends { requestBody?: infer RB }
  ? [NonNullable<RB>] extends [never]
    ? never
    : NonNullable<RB> extends { content: { 'application/json': infer B } }
      ? B
      : never
  : never;
type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : void;

/** Answer is the body of an operation's success status (void for 204). */
export type Answer<O> = O extends { responses: infer R }
  ? 200 extends keyof R
    ? JsonOf<R[200]>
    : 201 extends keyof R
      ? JsonOf<R[201]>
      : 202 extends keyof R
        ? JsonOf<R[202]>
        : void
  : never;

/** Body is the JSON request body of an operation. */
export type Body<M extends Method, P extends PathsWith<M>> =
  [JsonBody<Operation<M, P>>] extends [never] ? OptionalJsonBody<Operation<M, P>> : JsonBody<Operation<M, P>>;
/** Query is the query parameters of an operation. */
export type Query<M extends Method, P extends PathsWith<M>> = QueryParams<Operation<M, P>>;

interface CommonOptions {
  signal?: AbortSignal;
  /**
   * Whether to send the admin's organization choice (X-Organization-Id); default true. Lists that
   * must span every organization, such as the switcher's, pass false.
   */
  scoped?: boolean;
  /** Statuses whose body is a normal answer rather than an error (e.g. 503 from /ready). */
  acceptStatuses?: readonly number[];
}

type Options<O> = CommonOptions &
  ([PathParams<O>] extends [never] ? { params?: never } : { params: PathParams<O> }) &
  ([QueryParams<O>] extends [never] ? { query?: never } : { query?: QueryParams<O> }) &
  ([JsonBody<O>] extends [never]
    ? [OptionalJsonBody<O>] extends [never]
      ? { body?: never }
      : { body?: OptionalJsonBody<O> }
    : { body: JsonBody<O> });

type Args<O> = object extends Options<O> ? [options?: Options<O>] : [options: Options<O>];

// ---- Session handling ------------------------------------------------------------------------

/** readCookie returns a cookie readable by scripts, or undefined. */
export function readCookie(name: string): string | undefined {
  if (typeof document === 'undefined') return undefined;
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/**
 * hasSessionCookie says whether the browser may hold a session: the CSRF cookie lives exactly as
 * long as the session's refresh cookie, and it is the only one scripts can see.
 */
export function hasSessionCookie(): boolean {
  return readCookie(CSRF_COOKIE) !== undefined;
}

let sessionEndedHandler: () => void = redirectToLogin;

function redirectToLogin() {
  const here = window.location.pathname + window.location.search;
  window.location.assign(`/login?redirect=${encodeURIComponent(here)}`);
}

/**
 * onSessionEnded replaces what happens when the session cannot be refreshed (by default a full
 * page load of /login?redirect=<here>); it returns a function that restores the default.
 */
export function onSessionEnded(handler: () => void): () => void {
  sessionEndedHandler = handler;
  return () => {
    if (sessionEndedHandler === handler) sessionEndedHandler = redirectToLogin;
  };
}

function endSession() {
  // The CSRF cookie is the only one scripts can see; without it no later request tries to refresh.
  document.cookie = `${CSRF_COOKIE}=; Max-Age=0; Path=/; SameSite=Lax`;
  sessionEndedHandler();
}

function shouldRefresh(err: ApiError): boolean {
  if (err.status !== 401) return false;
  if (REFRESHABLE.has(err.code)) return true;
  // The access cookie lapses a minute after its token, the refresh and CSRF cookies only when the
  // session does: no access cookie but a CSRF cookie is a session the refresh cookie can resume.
  return err.code === 'auth.unauthenticated' && hasSessionCookie();
}

// Refresh tokens rotate and a reused one ends the whole session, so concurrent 401s must share
// one refresh. generation counts successful refreshes: a request sent before the latest one
// simply retries instead of refreshing again.
let refreshInFlight: Promise<boolean> | null = null;
let generation = 0;

function refreshSession(): Promise<boolean> {
  refreshInFlight ??= (async () => {
    try {
      const res = await sendRaw(REFRESH_PATH, 'POST', undefined, false);
      if (!res.ok) return false;
      generation++;
      return true;
    } finally {
      refreshInFlight = null;
    }
  })();
  return refreshInFlight;
}

// ---- Requests --------------------------------------------------------------------------------

function isUnsafe(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method);
}

async function sendRaw(path: string, method: string, body: unknown, scoped: boolean, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (isUnsafe(method)) {
    // Read at request time: login and refresh replace the cookie.
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf) headers[CSRF_HEADER] = csrf;
  }
  const org = scoped ? getSelectedOrganization() : null;
  if (org) headers[ORG_HEADER] = org;
  try {
    return await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      credentials: 'same-origin',
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new NetworkError('Cannot reach the Bifrost server', { cause: err });
  }
}

interface RawOptions extends CommonOptions {
  body?: unknown;
}

async function request<T>(method: string, path: string, options: RawOptions = {}): Promise<T> {
  const scoped = options.scoped ?? true;
  const send = () => sendRaw(path, method, options.body, scoped, options.signal);
  const sentAt = generation;
  let res = await send();
  if (res.status === 401) {
    const err = await toApiError(res);
    if (!shouldRefresh(err)) throw err;
    if (sentAt === generation && !(await refreshSession())) {
      endSession();
      throw err;
    }
    res = await send();
    if (res.status === 401) {
      endSession();
      throw await toApiError(res);
    }
  }
  if (res.ok || options.acceptStatuses?.includes(res.status)) {
    if (res.status === 204 || res.headers.get('Content-Length') === '0') return undefined as T;
    return (await res.json()) as T;
  }
  throw await toApiError(res);
}

function buildPath(template: string, params?: object, query?: object): string {
  let path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = (params as Record<string, unknown> | undefined)?.[name];
    if (v === undefined || v === null) throw new Error(`missing path parameter ${name} for ${template}`);
    return encodeURIComponent(String(v));
  });
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  }
  const s = qs.toString();
  if (s) path += `?${s}`;
  return path;
}

function call<M extends Method, P extends PathsWith<M>>(method: M, path: P, options?: Options<Operation<M, P>>) {
  const o = (options ?? {}) as RawOptions & { params?: object; query?: object };
  return request<Answer<Operation<M, P>>>(method.toUpperCase(), buildPath(path as string, o.params, o.query), o);
}

/** api calls one operation of the OpenAPI document, typed by its path and method. */
export const api = {
  get: <P extends PathsWith<'get'>>(path: P, ...[options]: Args<Operation<'get', P>>) => call('get', path, options),
  post: <P extends PathsWith<'post'>>(path: P, ...[options]: Args<Operation<'post', P>>) => call('post', path, options),
  put: <P extends PathsWith<'put'>>(path: P, ...[options]: Args<Operation<'put', P>>) => call('put', path, options),
  patch: <P extends PathsWith<'patch'>>(path: P, ...[options]: Args<Operation<'patch', P>>) => call('patch', path, options),
  delete: <P extends PathsWith<'delete'>>(path: P, ...[options]: Args<Operation<'delete', P>>) => call('delete', path, options),
};

/**
 * getReady reads the readiness of the server's components. A 503 carries the same body as a
 * 200 (some component is unavailable), so it is an answer, not an error.
 */
export function getReady(signal?: AbortSignal): Promise<ReadyResponse> {
  return api.get('/ready', { signal, scoped: false, acceptStatuses: [503] });
}
