// The one typed client for the Bifrost HTTP API. Every request the UI makes goes through here,
// so auth, error decoding and base paths live in a single place.
//
// Types come from schema.d.ts, generated from openapi.json by `npm run gen:api`. Only schema
// names are referenced (never the shape of `paths`), so a regenerated document from the Go
// server keeps this module compiling as long as those names stay.
import type { components } from './schema';

export type ReadyResponse = components['schemas']['ReadyResponse'];
export type ComponentStatus = components['schemas']['ComponentStatus'];

/** ProblemDetails is the RFC 9457 body the server sends with every error status. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  request_id?: string;
  errors?: { field?: string; message?: string; code?: string }[];
}

/** ApiError is an answer from the server with an unexpected status. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem?: ProblemDetails;

  constructor(status: number, message: string, problem?: ProblemDetails) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

/** NetworkError means no answer came back at all: the server is down or unreachable. */
export class NetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NetworkError';
  }
}

interface RequestOptions {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
  /** Statuses whose body is a normal answer rather than an error (e.g. 503 from /ready). */
  acceptStatuses?: readonly number[];
}

async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }

  let res: Response;
  try {
    res = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body,
      signal: options.signal,
      credentials: 'same-origin',
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new NetworkError('Cannot reach the Bifrost server', { cause: err });
  }

  if (res.ok || options.acceptStatuses?.includes(res.status)) {
    return (await res.json()) as T;
  }
  throw await toApiError(res);
}

async function toApiError(res: Response): Promise<ApiError> {
  const type = res.headers.get('Content-Type') ?? '';
  if (type.includes('json')) {
    try {
      const problem = (await res.json()) as ProblemDetails;
      return new ApiError(res.status, problem.detail || problem.title || res.statusText, problem);
    } catch {
      // Fall through: a body that is not JSON is reported by its status alone.
    }
  }
  return new ApiError(res.status, res.statusText || `HTTP ${res.status}`);
}

/**
 * getReady reads the readiness of the server's components. A 503 carries the same body as a
 * 200 (some component is unavailable), so it is an answer, not an error.
 */
export function getReady(signal?: AbortSignal): Promise<ReadyResponse> {
  return request<ReadyResponse>('/ready', { signal, acceptStatuses: [503] });
}
