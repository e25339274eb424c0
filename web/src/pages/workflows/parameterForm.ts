// The form generated from a workflow's parameters. Each input keeps a draft (the text of an input,
// the checked state of a checkbox, the index of a chosen option); readParam turns a draft into the
// value the workflow would receive, or the reason it cannot. The checks mirror what the runner
// does before any user code runs (modules/workflows/sdk/bifrost/_coerce.py), so an author sees
// here the message a caller would get: required inputs, whole numbers, e-mail addresses, JSON,
// and the parameter's validation (pattern, min, max and its own message).
import type { ParameterType, WorkflowParameter } from '../../api/types';

/** Draft is what an input holds: text, a checkbox's state, or the index of an option ("" for none). */
export type Draft = string | boolean;
export type Drafts = Record<string, Draft>;

/** Control is the kind of input a parameter gets. */
export type Control = ParameterType | 'select';

/** Rules is a parameter's validation: pattern (strings), min and max (value, length or count), message. */
export interface Rules {
  pattern?: string;
  min?: number;
  max?: number;
  message?: string;
}

/** Read is a parameter's value for the inputs (undefined: not sent), or why there is none. */
export type Read = { ok: true; value: unknown } | { ok: false; error: string };

/** controlOf says which input a parameter gets: its choices (a Literal hint) make it a select. */
export function controlOf(p: WorkflowParameter): Control {
  return p.options?.length ? 'select' : p.type;
}

/** rulesOf reads a parameter's validation; the server sends null when there is none. */
export function rulesOf(p: WorkflowParameter): Rules {
  const v = (p.validation ?? {}) as Record<string, unknown>;
  const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
  const str = (x: unknown) => (typeof x === 'string' && x ? x : undefined);
  return { pattern: str(v.pattern), min: num(v.min), max: num(v.max), message: str(v.message) };
}

/** initialDraft is an input's starting draft: the parameter's default, or empty. */
export function initialDraft(p: WorkflowParameter): Draft {
  const d = p.default_value;
  switch (controlOf(p)) {
    case 'select': {
      const i = d === null || d === undefined ? -1 : (p.options ?? []).findIndex((o) => o === d);
      return i >= 0 ? String(i) : '';
    }
    case 'bool':
      return d === true;
    case 'int':
    case 'float':
      return typeof d === 'number' ? String(d) : '';
    case 'list':
      return Array.isArray(d) ? d.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ') : '';
    case 'json':
      return d === null || d === undefined ? '' : JSON.stringify(d, null, 2);
    default:
      return d === null || d === undefined ? '' : typeof d === 'string' ? d : JSON.stringify(d);
  }
}

/** initialDrafts is the whole form's starting state. */
export function initialDrafts(params: readonly WorkflowParameter[]): Drafts {
  return Object.fromEntries(params.map((p) => [p.name, initialDraft(p)]));
}

const REQUIRED = 'Required.';
const INTEGER = /^[+-]?\d+$/;
// Python's float() syntax without inf and nan, which the runner refuses.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** readParam turns one input's draft into the value sent for the parameter. */
export function readParam(p: WorkflowParameter, draft: Draft): Read {
  const control = controlOf(p);
  if (control === 'bool') return { ok: true, value: draft === true };
  const text = typeof draft === 'string' ? draft : '';
  // A blank input sends nothing: the workflow gets its default (or None).
  if (!text.trim()) return p.required ? { ok: false, error: REQUIRED } : { ok: true, value: undefined };
  const rules = rulesOf(p);
  switch (control) {
    case 'select': {
      const options = p.options ?? [];
      const i = Number(text);
      return Number.isInteger(i) && i >= 0 && i < options.length ? { ok: true, value: options[i] } : { ok: false, error: REQUIRED };
    }
    case 'int': {
      const s = text.trim();
      if (!INTEGER.test(s)) return { ok: false, error: 'Enter a whole number.' };
      const n = Number(s);
      // JSON numbers travel as doubles: beyond 2^53 the workflow would get another number.
      if (!Number.isSafeInteger(n)) return { ok: false, error: `Enter a number between ${Number.MIN_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}.` };
      return checked(n, rules);
    }
    case 'float': {
      const s = text.trim();
      const n = Number(s);
      if (!DECIMAL.test(s) || !Number.isFinite(n)) return { ok: false, error: 'Enter a number, such as 0.5.' };
      return checked(n, rules);
    }
    case 'email': {
      const s = text.trim();
      if (!EMAIL.test(s)) return { ok: false, error: 'Enter an e-mail address, such as ada@example.com.' };
      return checked(s, rules);
    }
    case 'list': {
      const items = parseList(text);
      return items.ok ? checked(items.value, rules) : items;
    }
    case 'json':
      try {
        return { ok: true, value: JSON.parse(text) as unknown };
      } catch (err) {
        return { ok: false, error: `Not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
      }
    default:
      return checked(text, rules);
  }
}

// Comma-separated values, or a JSON array for items that contain commas (as the runner accepts).
function parseList(text: string): { ok: true; value: unknown[] } | { ok: false; error: string } {
  const s = text.trim();
  if (s.startsWith('[')) {
    try {
      const v = JSON.parse(s) as unknown;
      if (Array.isArray(v)) return { ok: true, value: v };
    } catch {
      return { ok: false, error: 'Not a valid JSON array: separate items with commas, or write ["a", "b"].' };
    }
  }
  return { ok: true, value: s.split(',').map((x) => x.trim()).filter(Boolean) };
}

// The parameter's own rules, applied to a value of the right type. Its message, when it has
// one, replaces the generic ones, as the runner does.
function checked(value: string | number | unknown[], rules: Rules): Read {
  const fail = (generic: string): Read => ({ ok: false, error: rules.message ?? generic });
  if (typeof value === 'string' && rules.pattern) {
    const re = fullMatch(rules.pattern);
    if (re && !re.test(value)) return fail(`Must match ${rules.pattern}.`);
  }
  if (rules.min === undefined && rules.max === undefined) return { ok: true, value };
  // Strings are measured in characters (code points, as Python counts them), lists in items.
  const [size, unit] = typeof value === 'number' ? [value, UNITS.number] : typeof value === 'string' ? [[...value].length, UNITS.text] : [value.length, UNITS.list];
  if (rules.min !== undefined && size < rules.min) return fail(`Must be at least ${unit(rules.min)}.`);
  if (rules.max !== undefined && size > rules.max) return fail(`Must be at most ${unit(rules.max)}.`);
  return { ok: true, value };
}

const counted = (one: string, many: string) => (n: number) => `${n} ${n === 1 ? one : many}`;
const UNITS = { number: (n: number) => String(n), text: counted('character', 'characters'), list: counted('item', 'items') };

/**
 * fullMatch compiles a Python pattern as a JavaScript one that must match the whole value
 * (re.fullmatch). The common differences are translated; a pattern JavaScript still cannot read
 * is left to the server, which checks every input again.
 */
export function fullMatch(pattern: string): RegExp | null {
  let flags = '';
  let src = pattern;
  const inline = /^\(\?([aiLmsux]+)\)/.exec(src);
  if (inline) {
    if (inline[1].includes('i')) flags += 'i';
    if (inline[1].includes('s')) flags += 's';
    if (inline[1].includes('m')) flags += 'm';
    src = src.slice(inline[0].length);
  }
  src = src.replace(/\(\?P<(\w+)>/g, '(?<$1>').replace(/\(\?P=(\w+)\)/g, '\\k<$1>').replace(/\\A/g, '^').replace(/\\Z/g, '$');
  try {
    return new RegExp(`^(?:${src})$`, flags);
  } catch {
    return null;
  }
}

/** FormState is what the form would send, and what stops it. */
export interface FormState {
  /** The inputs as JSON, without blank optional fields and invalid ones. */
  inputs: Record<string, unknown>;
  /** Errors by parameter name. */
  errors: Record<string, string>;
}

/** readForm reads every input of the form. */
export function readForm(params: readonly WorkflowParameter[], drafts: Drafts): FormState {
  const inputs: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const p of params) {
    const r = readParam(p, drafts[p.name] ?? initialDraft(p));
    if (!r.ok) errors[p.name] = r.error;
    else if (r.value !== undefined) inputs[p.name] = r.value;
  }
  return { inputs, errors };
}

/** typeHint explains what an input takes, with the parameter's bounds. */
export function typeHint(p: WorkflowParameter): string {
  const { min, max } = rulesOf(p);
  const range = (unit: (n: number) => string) => {
    if (min !== undefined && max !== undefined) return ` ${min} to ${unit(max)}.`;
    if (min !== undefined) return ` At least ${unit(min)}.`;
    if (max !== undefined) return ` At most ${unit(max)}.`;
    return '';
  };
  switch (controlOf(p)) {
    case 'int':
      return `A whole number.${range(UNITS.number)}`;
    case 'float':
      return `A number.${range(UNITS.number)}`;
    case 'list':
      return `Separate items with commas.${range(UNITS.list)}`;
    case 'json':
      return 'Any JSON value: an object, a list, a number, a "string", true, false or null.';
    case 'string':
    case 'email':
      return range(UNITS.text).trim();
    default:
      return '';
  }
}
