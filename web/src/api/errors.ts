import type { components } from './schema';

/** ProblemDetails is the RFC 9457 body the server sends with every error status. */
export type ProblemDetails = Partial<components['schemas']['Problem']> & {
  errors?: Partial<components['schemas']['FieldError']>[];
};

/** ApiError is an answer from the server with an unexpected status. */
export class ApiError extends Error {
  readonly status: number;
  /** The stable problem code, such as auth.token_expired; "" when the body was not a problem. */
  readonly code: string;
  /** What went wrong, safe to show to the user. */
  readonly detail: string;
  /** Field errors by JSON field name (the first message of each field). */
  readonly fields: Readonly<Record<string, string>>;
  readonly requestId?: string;
  readonly problem?: ProblemDetails;

  constructor(status: number, message: string, problem?: ProblemDetails) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.code = problem?.code ?? '';
    this.detail = message;
    this.requestId = problem?.request_id || undefined;
    const fields: Record<string, string> = {};
    for (const e of problem?.errors ?? []) {
      if (e.field && e.message && !(e.field in fields)) fields[e.field] = e.message;
    }
    this.fields = fields;
  }
}

/** NetworkError means no answer came back at all: the server is down or unreachable. */
export class NetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NetworkError';
  }
}

/** toApiError reads an error answer, a problem+json body when there is one. */
export async function toApiError(res: Response): Promise<ApiError> {
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
 * fieldError returns the server's message for one form field, capitalised for display. codes are
 * problem codes that concern this field though the server names no field (e.g. a 409 slug_taken).
 */
export function fieldError(err: unknown, field: string, ...codes: string[]): string | undefined {
  if (!(err instanceof ApiError)) return undefined;
  if (codes.includes(err.code)) return err.detail;
  const msg = err.fields[field];
  return msg ? msg.charAt(0).toUpperCase() + msg.slice(1) : undefined;
}
