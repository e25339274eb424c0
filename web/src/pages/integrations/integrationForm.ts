// The integration form's logic, apart from its markup: which fields a flow needs, how scopes and
// extra parameters are typed, what is checked before sending, and the request bodies.
import type { CreateIntegrationBody, Integration, IntegrationFlow, IntegrationStatus, UpdateIntegrationBody } from '../../api/types';

export const FLOWS: readonly IntegrationFlow[] = ['authorization_code', 'client_credentials', 'refresh_token'];

export const FLOW_LABELS: Record<IntegrationFlow, string> = {
  authorization_code: 'Authorization code (an admin signs in at the provider)',
  client_credentials: 'Client credentials (app-only, no sign-in)',
  refresh_token: 'Refresh token (start from a token obtained elsewhere)',
};

export const STATUS_LABELS: Record<IntegrationStatus, string> = {
  not_connected: 'Not connected',
  waiting_callback: 'Waiting for callback',
  testing: 'Testing',
  completed: 'Completed',
  failed: 'Failed',
};

export const STATUS_TONES: Record<IntegrationStatus, 'ok' | 'warn' | 'muted' | 'bad' | 'info'> = {
  not_connected: 'muted',
  waiting_callback: 'warn',
  testing: 'info',
  completed: 'ok',
  failed: 'bad',
};

/** FlowFields says which of the flow-specific fields a flow shows. */
export interface FlowFields {
  /** The provider's consent page, its PKCE option and the redirect URI to register there. */
  authorization: boolean;
  /** The refresh token to start from. */
  refreshToken: boolean;
}

export function fieldsFor(flow: IntegrationFlow): FlowFields {
  return { authorization: flow === 'authorization_code', refreshToken: flow === 'refresh_token' };
}

/** parseScopes reads scopes separated by spaces, commas or new lines, without repeats. */
export function parseScopes(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter(Boolean))];
}

export type ParamsResult = { ok: true; value: Record<string, string> } | { ok: false; error: string };

const MAX_PARAMS = 20;

/** parseParams reads extra provider parameters typed one "name=value" per line. */
export function parseParams(text: string): ParamsResult {
  const value: Record<string, string> = {};
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  for (const [i, line] of lines.entries()) {
    const eq = line.indexOf('=');
    const name = eq > 0 ? line.slice(0, eq).trim() : '';
    if (!name) return { ok: false, error: `Line ${i + 1}: write name=value, e.g. audience=https://api.example.com.` };
    value[name] = line.slice(eq + 1).trim();
  }
  if (Object.keys(value).length > MAX_PARAMS) return { ok: false, error: `At most ${MAX_PARAMS} parameters.` };
  return { ok: true, value };
}

export function formatParams(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

/** IntegrationDraft is the form's state: every field as typed. */
export interface IntegrationDraft {
  name: string;
  description: string;
  flow: IntegrationFlow;
  client_id: string;
  /** A new client secret; empty keeps the stored one when editing. */
  client_secret: string;
  /** Editing: drop the stored client secret (a public client). */
  remove_client_secret: boolean;
  authorization_url: string;
  token_url: string;
  scopes: string;
  params: string;
  use_pkce: boolean;
  test_url: string;
  refresh_token: string;
}

export function draftFrom(i?: Integration): IntegrationDraft {
  return {
    name: i?.name ?? '',
    description: i?.description ?? '',
    flow: i?.flow ?? 'authorization_code',
    client_id: i?.client_id ?? '',
    client_secret: '',
    remove_client_secret: false,
    authorization_url: i?.authorization_url ?? '',
    token_url: i?.token_url ?? '',
    scopes: (i?.scopes ?? []).join(' '),
    params: formatParams(i?.params ?? {}),
    use_pkce: i?.use_pkce ?? true,
    test_url: i?.test_url ?? '',
    refresh_token: '',
  };
}

const NAME_PATTERN = /^[a-zA-Z0-9_-]{1,100}$/;
const URL_FIELDS = ['authorization_url', 'token_url', 'test_url'] as const;

function isURL(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'https:' || u.protocol === 'http:') && !!u.host;
  } catch {
    return false;
  }
}

/**
 * checkDraft finds what the server would refuse, by field, before sending. Whether plain http
 * is allowed is the server's call (integrations.allow_http): only the shape is checked here.
 */
export function checkDraft(d: IntegrationDraft, editing: boolean): Record<string, string> {
  const errors: Record<string, string> = {};
  const f = fieldsFor(d.flow);
  if (!NAME_PATTERN.test(d.name.trim())) errors.name = 'Use 1 to 100 letters, digits, dashes or underscores.';
  if (!d.client_id.trim()) errors.client_id = 'Enter the client (application) id from the provider.';
  if (f.authorization && !d.authorization_url.trim()) errors.authorization_url = 'Enter the provider’s authorization URL.';
  if (!d.token_url.trim()) errors.token_url = 'Enter the provider’s token URL.';
  for (const k of URL_FIELDS) {
    const v = d[k].trim();
    if (v && !errors[k] && (k !== 'authorization_url' || f.authorization) && !isURL(v)) errors[k] = 'Enter a full URL, such as https://login.example.com/oauth2/token.';
  }
  if (f.refreshToken && !editing && !d.refresh_token.trim()) errors.refresh_token = 'Paste the refresh token to start from.';
  const params = parseParams(d.params);
  if (!params.ok) errors.params = params.error;
  return errors;
}

/** createBody is the POST /api/integrations body of a checked draft. */
export function createBody(d: IntegrationDraft): CreateIntegrationBody {
  const f = fieldsFor(d.flow);
  const params = parseParams(d.params);
  const body: CreateIntegrationBody = {
    name: d.name.trim(),
    description: d.description.trim(),
    flow: d.flow,
    client_id: d.client_id.trim(),
    token_url: d.token_url.trim(),
    scopes: parseScopes(d.scopes),
    params: params.ok ? params.value : {},
    test_url: d.test_url.trim(),
  };
  if (d.client_secret) body.client_secret = d.client_secret;
  if (f.authorization) {
    body.authorization_url = d.authorization_url.trim();
    body.use_pkce = d.use_pkce;
  }
  if (f.refreshToken) body.refresh_token = d.refresh_token.trim();
  return body;
}

/**
 * updateBody is the PUT body of a checked draft. Secrets are write-only: an empty client secret
 * or refresh token keeps the stored one, and only an explicit removal sends "".
 */
export function updateBody(d: IntegrationDraft): UpdateIntegrationBody {
  const f = fieldsFor(d.flow);
  const params = parseParams(d.params);
  const body: UpdateIntegrationBody = {
    name: d.name.trim(),
    description: d.description.trim(),
    flow: d.flow,
    client_id: d.client_id.trim(),
    token_url: d.token_url.trim(),
    scopes: parseScopes(d.scopes),
    params: params.ok ? params.value : {},
    test_url: d.test_url.trim(),
    // Other flows have no consent page: a leftover URL would only confuse.
    authorization_url: f.authorization ? d.authorization_url.trim() : '',
  };
  if (f.authorization) body.use_pkce = d.use_pkce;
  if (d.client_secret) body.client_secret = d.client_secret;
  else if (d.remove_client_secret) body.client_secret = '';
  if (f.refreshToken && d.refresh_token.trim()) body.refresh_token = d.refresh_token.trim();
  return body;
}
