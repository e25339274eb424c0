import type { InfiniteData } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { detail, execution, line } from '../test/executions';
import { appendLines, applyChange, hasEnded, matchesFilter, mergeExecution, type ExecutionPage } from './executionUpdates';

const CONTOSO = '00000000-0000-4000-8000-0000000000c0';
const FABRIKAM = '00000000-0000-4000-8000-0000000000f0';

const at = (minute: number, over: Parameters<typeof execution>[0] = {}) =>
  execution({ id: `00000000-0000-4000-8000-0000000000${String(minute).padStart(2, '0')}`, created_at: `2026-11-29T10:${String(minute).padStart(2, '0')}:00Z`, ...over });

function pages(...lists: { items: ReturnType<typeof execution>[]; next_cursor?: string | null }[]): InfiniteData<ExecutionPage> {
  return { pages: lists, pageParams: lists.map((_, i) => (i ? `c${i}` : undefined)) };
}

const ids = (data: InfiniteData<ExecutionPage> | undefined) => data?.pages.map((p) => p.items.map((e) => e.created_at.slice(14, 16)));

describe('matchesFilter', () => {
  it('matches the workflow exactly, any of the statuses, and the time range [since, until)', () => {
    const e = at(30, { workflow_name: 'count_steps', status: 'Failed' });
    expect(matchesFilter(e, {}, null)).toBe(true);
    expect(matchesFilter(e, { workflow: 'count_steps' }, null)).toBe(true);
    expect(matchesFilter(e, { workflow: 'count' }, null)).toBe(false);
    expect(matchesFilter(e, { status: 'Running,Failed' }, null)).toBe(true);
    expect(matchesFilter(e, { status: 'Success' }, null)).toBe(false);
    expect(matchesFilter(e, { since: '2026-11-29T10:30:00Z' }, null)).toBe(true);
    expect(matchesFilter(e, { since: '2026-11-29T10:31:00Z' }, null)).toBe(false);
    expect(matchesFilter(e, { until: '2026-11-29T10:30:00Z' }, null)).toBe(false);
    expect(matchesFilter(e, { until: '2026-11-29T10:31:00Z' }, null)).toBe(true);
  });

  it('keeps to the organization a platform admin chose, since the stream carries every one', () => {
    expect(matchesFilter(at(1, { organization_id: CONTOSO }), {}, CONTOSO)).toBe(true);
    expect(matchesFilter(at(1, { organization_id: FABRIKAM }), {}, CONTOSO)).toBe(false);
    expect(matchesFilter(at(1, { organization_id: null }), {}, CONTOSO)).toBe(false);
    expect(matchesFilter(at(1, { organization_id: FABRIKAM }), {}, null)).toBe(true);
  });
});

describe('applyChange', () => {
  it('puts a new execution at the top, newest first', () => {
    const data = pages({ items: [at(20), at(10)], next_cursor: 'c1' }, { items: [at(5)] });
    expect(ids(applyChange(data, at(30), true))).toEqual([['30', '20', '10'], ['05']]);
    expect(ids(applyChange(data, at(15), true))).toEqual([['20', '15', '10'], ['05']]);
  });

  it('leaves out a new execution that does not match, or whose place is on a page not loaded yet', () => {
    const more = pages({ items: [at(20), at(10)], next_cursor: 'c1' });
    expect(applyChange(more, at(30), false)).toBe(more);
    expect(applyChange(more, at(5), true)).toBe(more);
    const all = pages({ items: [at(20), at(10)], next_cursor: null });
    expect(ids(applyChange(all, at(5), true))).toEqual([['20', '10', '05']]);
    expect(ids(applyChange(pages({ items: [] }), at(5), true))).toEqual([['05']]);
  });

  it('updates a row in place, even one that no longer matches, keeping what the stream leaves out', () => {
    const data = pages({ items: [at(20), at(10, { status: 'Running', input_data: { steps: 3 } })], next_cursor: 'c1' }, { items: [at(5)] });
    const ended = { ...at(10, { status: 'Success', duration_ms: 3100 }), input_data: null as unknown as Record<string, unknown> };
    const next = applyChange(data, ended, false);
    expect(next?.pages[0].items[1]).toMatchObject({ status: 'Success', duration_ms: 3100, input_data: { steps: 3 } });
    expect(ids(next)).toEqual([['20', '10'], ['05']]);
    expect(next?.pages[1]).toBe(data.pages[1]);
  });

  it('does nothing before the first page arrived', () => {
    expect(applyChange(undefined, at(1), true)).toBeUndefined();
  });
});

describe('an execution’s page', () => {
  it('takes a status event, keeping its log, inputs and result when the event has none', () => {
    const old = detail({ status: 'Running', logs: [line(1, 'step 1 of 3')], input_data: { steps: 3 } });
    const next = mergeExecution(old, { ...execution({ status: 'Success', result: { done: true }, result_type: 'json' }), input_data: null as unknown as Record<string, unknown> });
    expect(next).toMatchObject({ status: 'Success', result: { done: true }, input_data: { steps: 3 }, logs: [line(1, 'step 1 of 3')] });
    const withoutResult = execution({ status: 'Cancelling' });
    expect(mergeExecution({ ...old, result: 'kept' }, withoutResult).result).toBe('kept');
  });

  it('appends only the lines after the last one, so replays and overlaps do not repeat', () => {
    const log = [line(1, 'a'), line(2, 'b')];
    expect(appendLines(log, [line(2, 'b'), line(3, 'c'), line(3, 'c'), line(4, 'd')]).map((l) => l.seq)).toEqual([1, 2, 3, 4]);
    expect(appendLines(log, [line(1, 'a')])).toBe(log);
    expect(appendLines([], [line(5, 'e')]).map((l) => l.seq)).toEqual([5]);
  });

  it('knows which statuses are final', () => {
    expect(['Pending', 'Running', 'Cancelling'].map((s) => hasEnded(s as never))).toEqual([false, false, false]);
    expect(['Success', 'Failed', 'CompletedWithErrors', 'Timeout', 'Cancelled'].map((s) => hasEnded(s as never))).toEqual([true, true, true, true, true]);
  });
});
