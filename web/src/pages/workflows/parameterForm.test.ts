import { describe, expect, it } from 'vitest';
import type { WorkflowParameter } from '../../api/types';
import { controlOf, fullMatch, initialDraft, readForm, readParam, typeHint } from './parameterForm';

function param(over: Partial<WorkflowParameter>): WorkflowParameter {
  return { name: 'x', type: 'string', label: 'X', required: false, validation: {}, data_provider: null, default_value: null, help_text: null, ...over };
}

// The server sends null for a parameter without validation, though the document says object.
const noRules = null as unknown as WorkflowParameter['validation'];

describe('the control of each parameter type', () => {
  it.each([
    ['string', 'string'],
    ['email', 'email'],
    ['int', 'int'],
    ['float', 'float'],
    ['bool', 'bool'],
    ['list', 'list'],
    ['json', 'json'],
  ] as const)('%s gets a %s input', (type, control) => {
    expect(controlOf(param({ type }))).toBe(control);
  });

  it('makes a select of a Literal hint’s choices, whatever the type', () => {
    expect(controlOf(param({ type: 'string', options: ['red', 'green'] }))).toBe('select');
    expect(controlOf(param({ type: 'int', options: [1, 2, 3] }))).toBe('select');
    expect(controlOf(param({ type: 'string', options: [] }))).toBe('string');
  });
});

describe('defaults', () => {
  it.each([
    [param({ type: 'string', default_value: 'Ada' }), 'Ada'],
    [param({ type: 'email', default_value: null }), ''],
    [param({ type: 'int', default_value: 5 }), '5'],
    [param({ type: 'float', default_value: 0.5 }), '0.5'],
    [param({ type: 'bool', default_value: true }), true],
    [param({ type: 'bool', default_value: null }), false],
    [param({ type: 'list', default_value: ['a', 'b'] }), 'a, b'],
    [param({ type: 'json', default_value: { a: 1 } }), '{\n  "a": 1\n}'],
    [param({ type: 'json', default_value: null }), ''],
    [param({ type: 'string', options: ['red', 'green'], default_value: 'green' }), '1'],
    [param({ type: 'string', options: ['red', 'green'], default_value: null }), ''],
  ])('%# starts from the default', (p, draft) => {
    expect(initialDraft(p)).toEqual(draft);
  });

  it('sends the defaults as they were declared', () => {
    const params = [
      param({ name: 'seats', type: 'int', default_value: 5 }),
      param({ name: 'ratio', type: 'float', default_value: 0.5 }),
      param({ name: 'notify', type: 'bool', default_value: true }),
      param({ name: 'groups', type: 'list', default_value: ['a', 'b'] }),
      param({ name: 'extra', type: 'json', default_value: { a: [1, 2] } }),
      param({ name: 'color', type: 'string', options: ['red', 'green'], default_value: 'red' }),
      param({ name: 'note', type: 'string', validation: noRules }),
    ];
    const drafts = Object.fromEntries(params.map((p) => [p.name, initialDraft(p)]));
    expect(readForm(params, drafts)).toEqual({
      inputs: { seats: 5, ratio: 0.5, notify: true, groups: ['a', 'b'], extra: { a: [1, 2] }, color: 'red' },
      errors: {},
    });
  });
});

describe('reading an input', () => {
  it('requires a required input and leaves out a blank optional one', () => {
    expect(readParam(param({ required: true }), '  ')).toEqual({ ok: false, error: 'Required.' });
    expect(readParam(param({ type: 'int', required: true }), '')).toEqual({ ok: false, error: 'Required.' });
    expect(readParam(param({ type: 'int' }), '')).toEqual({ ok: true, value: undefined });
    expect(readParam(param({ type: 'string', options: ['a'], required: true }), '')).toEqual({ ok: false, error: 'Required.' });
  });

  it('sends a checkbox as true or false, required or not', () => {
    expect(readParam(param({ type: 'bool', required: true }), false)).toEqual({ ok: true, value: false });
    expect(readParam(param({ type: 'bool' }), true)).toEqual({ ok: true, value: true });
  });

  it('reads whole numbers and numbers as the runner does', () => {
    const int = param({ type: 'int' });
    expect(readParam(int, ' 42 ')).toEqual({ ok: true, value: 42 });
    expect(readParam(int, '-7')).toEqual({ ok: true, value: -7 });
    expect(readParam(int, '4.5')).toEqual({ ok: false, error: 'Enter a whole number.' });
    expect(readParam(int, '9007199254740993').ok).toBe(false);
    const float = param({ type: 'float' });
    expect(readParam(float, '0.25')).toEqual({ ok: true, value: 0.25 });
    expect(readParam(float, '1e3')).toEqual({ ok: true, value: 1000 });
    expect(readParam(float, '0x10')).toEqual({ ok: false, error: 'Enter a number, such as 0.5.' });
  });

  it('checks an e-mail address and trims it', () => {
    const email = param({ type: 'email' });
    expect(readParam(email, ' ada@example.com ')).toEqual({ ok: true, value: 'ada@example.com' });
    expect(readParam(email, 'ada@example')).toEqual({ ok: false, error: 'Enter an e-mail address, such as ada@example.com.' });
  });

  it('splits a list on commas, or reads a JSON array', () => {
    const list = param({ type: 'list' });
    expect(readParam(list, 'a, b ,, c')).toEqual({ ok: true, value: ['a', 'b', 'c'] });
    expect(readParam(list, '["a, b", 2]')).toEqual({ ok: true, value: ['a, b', 2] });
    expect(readParam(list, '[oops').ok).toBe(false);
  });

  it('parses JSON and says why it cannot', () => {
    const json = param({ type: 'json' });
    expect(readParam(json, '{"retries": 3}')).toEqual({ ok: true, value: { retries: 3 } });
    expect(readParam(json, '"text"')).toEqual({ ok: true, value: 'text' });
    const bad = readParam(json, '{"retries": 3,}');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/^Not valid JSON: /);
  });

  it('sends the chosen option with its type', () => {
    expect(readParam(param({ type: 'int', options: [10, 20] }), '1')).toEqual({ ok: true, value: 20 });
    expect(readParam(param({ type: 'bool', options: [true, false] }), '1')).toEqual({ ok: true, value: false });
    expect(readParam(param({ options: ['red', 'green'] }), '0')).toEqual({ ok: true, value: 'red' });
  });
});

describe('validation', () => {
  const username = param({ validation: { pattern: '[a-z][a-z0-9.]*', min: 3, max: 20 } });

  it('matches the pattern against the whole value, as re.fullmatch', () => {
    expect(readParam(username, 'ada.l')).toEqual({ ok: true, value: 'ada.l' });
    expect(readParam(username, 'Ada')).toEqual({ ok: false, error: 'Must match [a-z][a-z0-9.]*.' });
    expect(readParam(username, 'ada lovelace')).toEqual({ ok: false, error: 'Must match [a-z][a-z0-9.]*.' });
  });

  it('bounds the length of text, the value of numbers and the count of list items', () => {
    expect(readParam(username, 'ad')).toEqual({ ok: false, error: 'Must be at least 3 characters.' });
    expect(readParam(username, 'a'.repeat(21))).toEqual({ ok: false, error: 'Must be at most 20 characters.' });
    const seats = param({ type: 'int', validation: { min: 1, max: 50 } });
    expect(readParam(seats, '0')).toEqual({ ok: false, error: 'Must be at least 1.' });
    expect(readParam(seats, '51')).toEqual({ ok: false, error: 'Must be at most 50.' });
    expect(readParam(seats, '50')).toEqual({ ok: true, value: 50 });
    const groups = param({ type: 'list', validation: { min: 2 } });
    expect(readParam(groups, 'a')).toEqual({ ok: false, error: 'Must be at least 2 items.' });
    expect(readParam(param({ type: 'list', validation: { max: 1 } }), 'a, b')).toEqual({ ok: false, error: 'Must be at most 1 item.' });
  });

  it('counts characters, not UTF-16 code units', () => {
    expect(readParam(param({ validation: { max: 2 } }), '😀😀')).toEqual({ ok: true, value: '😀😀' });
  });

  it('uses the parameter’s own message for pattern, min and max, but not for a value of the wrong type', () => {
    const message = 'Between 1 and 50 seats.';
    const seats = param({ type: 'int', validation: { min: 1, max: 50, message } });
    expect(readParam(seats, '99')).toEqual({ ok: false, error: message });
    expect(readParam(seats, 'many')).toEqual({ ok: false, error: 'Enter a whole number.' });
    const code = param({ validation: { pattern: '[A-Z]{3}', message: 'Three capital letters.' } });
    expect(readParam(code, 'abc')).toEqual({ ok: false, error: 'Three capital letters.' });
  });

  it('translates Python-only pattern syntax, and leaves what JavaScript cannot read to the server', () => {
    expect(fullMatch('(?P<user>[a-z]+)@(?P=user)')?.test('ada@ada')).toBe(true);
    expect(fullMatch('(?i)[a-z]+')?.test('ADA')).toBe(true);
    expect(fullMatch('\\Aabc\\Z')?.test('abc')).toBe(true);
    expect(fullMatch('(?<=a)b(')).toBeNull();
    expect(readParam(param({ validation: { pattern: '(unclosed' } }), 'anything')).toEqual({ ok: true, value: 'anything' });
  });

  it('describes the bounds next to the input', () => {
    expect(typeHint(param({ type: 'int', validation: { min: 1, max: 50 } }))).toBe('A whole number. 1 to 50.');
    expect(typeHint(param({ type: 'list', validation: { min: 1 } }))).toBe('Separate items with commas. At least 1 item.');
    expect(typeHint(param({ type: 'string', validation: { max: 20 } }))).toBe('At most 20 characters.');
    expect(typeHint(param({ type: 'string', validation: noRules }))).toBe('');
  });
});
