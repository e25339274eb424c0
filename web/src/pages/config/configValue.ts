// What the configuration editor shows and sends for each type. The editor keeps a draft string
// per entry (the text of an input, "true"/"false" for a checkbox, a secret's name); parseDraft
// turns it into the JSON value the server stores, or explains why it cannot.
import type { ConfigType } from '../../api/types';

export const CONFIG_TYPES: readonly ConfigType[] = ['string', 'int', 'bool', 'json', 'secret_ref'];

export const TYPE_LABELS: Record<ConfigType, string> = {
  string: 'String',
  int: 'Integer',
  bool: 'Boolean',
  json: 'JSON',
  secret_ref: 'Secret reference',
};

/** KEY_PATTERN is what the server accepts as a key. */
export const KEY_PATTERN = /^[a-zA-Z0-9_]+$/;
const KEY_MAX = 255;

/** checkKey returns why key is not a valid key, or undefined. */
export function checkKey(key: string): string | undefined {
  if (!key) return 'Enter a key.';
  if (key.length > KEY_MAX) return `At most ${KEY_MAX} characters.`;
  if (!KEY_PATTERN.test(key)) return 'Only letters, digits and underscores (no spaces or dashes).';
  return undefined;
}

export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

const INTEGER = /^-?\d+$/;

/** parseDraft reads the editor's draft as a value of type t. */
export function parseDraft(t: ConfigType, draft: string): Parsed {
  switch (t) {
    case 'string':
      return { ok: true, value: draft };
    case 'int': {
      const s = draft.trim();
      if (!INTEGER.test(s)) return { ok: false, error: 'Enter a whole number, such as 42 or -7.' };
      const n = Number(s);
      // JSON numbers travel as doubles in the browser: beyond 2^53 they would change silently.
      if (!Number.isSafeInteger(n)) return { ok: false, error: `Enter a number between ${Number.MIN_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}.` };
      return { ok: true, value: n };
    }
    case 'bool':
      return { ok: true, value: draft === 'true' };
    case 'json': {
      if (!draft.trim()) return { ok: false, error: 'Enter a JSON value, such as {"retries": 3} or ["a", "b"].' };
      try {
        return { ok: true, value: JSON.parse(draft) as unknown };
      } catch (err) {
        return { ok: false, error: `Not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
      }
    }
    case 'secret_ref':
      return draft ? { ok: true, value: draft } : { ok: false, error: 'Choose a secret.' };
  }
}

/** draftFromValue is the editor's draft for a stored value of type t. */
export function draftFromValue(t: ConfigType, value: unknown): string {
  switch (t) {
    case 'string':
    case 'secret_ref':
      return typeof value === 'string' ? value : '';
    case 'int':
      return typeof value === 'number' ? String(value) : '';
    case 'bool':
      return value === true ? 'true' : 'false';
    case 'json':
      return value === undefined ? '' : JSON.stringify(value, null, 2);
  }
}

/** emptyDraft is a new entry's draft. */
export function emptyDraft(t: ConfigType): string {
  return t === 'bool' ? 'false' : '';
}

/**
 * convertDraft carries a draft over when the type changes: what still makes sense in the new type
 * stays (42 typed as a string becomes the integer 42, {"a": 1} typed as a string becomes JSON),
 * anything else starts empty.
 */
export function convertDraft(from: ConfigType, to: ConfigType, draft: string): string {
  if (from === to) return draft;
  if (from === 'secret_ref' || to === 'secret_ref') return emptyDraft(to);
  switch (to) {
    case 'string': {
      const parsed = from === 'json' ? parseDraft('json', draft) : null;
      return parsed?.ok && typeof parsed.value === 'string' ? parsed.value : draft;
    }
    case 'json':
      if (from !== 'string' || parseDraft('json', draft).ok) return draft;
      return draft ? JSON.stringify(draft) : '';
    case 'int':
      return INTEGER.test(draft.trim()) ? draft.trim() : '';
    case 'bool':
      return draft.trim() === 'true' ? 'true' : 'false';
  }
}

const SHOWN_MAX = 120;

/** displayValue shows a stored value in a table cell; a secret_ref shows the secret's name, never a value. */
export function displayValue(t: ConfigType, value: unknown): string {
  switch (t) {
    case 'secret_ref':
      return `secret: ${typeof value === 'string' ? value : '?'}`;
    case 'string':
      return cut(typeof value === 'string' ? value : JSON.stringify(value));
    case 'bool':
      return value === true ? 'true' : 'false';
    default:
      return cut(JSON.stringify(value));
  }
}

function cut(s: string): string {
  return s.length > SHOWN_MAX ? `${s.slice(0, SHOWN_MAX - 1)}…` : s;
}
