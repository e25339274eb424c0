import { describe, expect, it } from 'vitest';
import { checkKey, convertDraft, displayValue, draftFromValue, parseDraft } from './configValue';

describe('config values', () => {
  it.each([
    ['string', 'hello world', 'hello world'],
    ['string', '', ''],
    ['int', '42', 42],
    ['int', ' -7 ', -7],
    ['bool', 'true', true],
    ['bool', 'false', false],
    ['json', '{"retries": 3, "tags": ["a"]}', { retries: 3, tags: ['a'] }],
    ['json', 'null', null],
    ['json', '"text"', 'text'],
    ['secret_ref', 'halo_secret', 'halo_secret'],
  ] as const)('reads a %s draft %j as %j', (type, draft, value) => {
    expect(parseDraft(type, draft)).toEqual({ ok: true, value });
  });

  it.each([
    ['int', '4.5', 'whole number'],
    ['int', '', 'whole number'],
    ['int', '1e3', 'whole number'],
    ['int', '9007199254740993', 'between'],
    ['json', '{retries: 3}', 'Not valid JSON'],
    ['json', '   ', 'Enter a JSON value'],
    ['secret_ref', '', 'Choose a secret'],
  ] as const)('refuses a %s draft %j', (type, draft, message) => {
    const r = parseDraft(type, draft);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(message);
  });

  it('round-trips stored values through the editor', () => {
    const cases = [
      ['string', 'x'],
      ['int', 12],
      ['bool', true],
      ['json', { a: [1, 2] }],
      ['secret_ref', 'api_key'],
    ] as const;
    for (const [type, value] of cases) {
      expect(parseDraft(type, draftFromValue(type, value))).toEqual({ ok: true, value });
    }
  });

  it('carries what still makes sense over a change of type', () => {
    expect(convertDraft('string', 'int', '42')).toBe('42');
    expect(convertDraft('string', 'int', 'forty')).toBe('');
    expect(convertDraft('string', 'json', '{"a":1}')).toBe('{"a":1}');
    expect(convertDraft('string', 'json', 'plain')).toBe('"plain"');
    expect(convertDraft('json', 'string', '"plain"')).toBe('plain');
    expect(convertDraft('int', 'bool', '1')).toBe('false');
    expect(convertDraft('string', 'bool', 'true')).toBe('true');
    expect(convertDraft('string', 'secret_ref', 'anything')).toBe('');
    expect(convertDraft('secret_ref', 'string', 'api_key')).toBe('');
  });

  it('shows a secret reference by name only, and cuts long values', () => {
    expect(displayValue('secret_ref', 'halo_secret')).toBe('secret: halo_secret');
    expect(displayValue('bool', false)).toBe('false');
    expect(displayValue('json', { a: 1 })).toBe('{"a":1}');
    expect(displayValue('string', 'x'.repeat(500))).toHaveLength(120);
  });

  it('checks keys as the server does', () => {
    expect(checkKey('halo_api_url')).toBeUndefined();
    expect(checkKey('A1_b2')).toBeUndefined();
    expect(checkKey('')).toBe('Enter a key.');
    expect(checkKey('halo-api')).toContain('letters, digits and underscores');
    expect(checkKey('with space')).toContain('letters, digits and underscores');
    expect(checkKey('k'.repeat(256))).toContain('255');
  });
});
