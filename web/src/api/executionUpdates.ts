// How live events change what is cached of executions: the history's pages and one execution
// with its log. Pure functions, so the rules are tested without a stream.
import type { InfiniteData } from '@tanstack/react-query';
import type { Execution, ExecutionDetail, ExecutionFilter, ExecutionStatus, LogLine } from './types';

/** ExecutionPage is one page of the history as GET /api/executions answers it. */
export interface ExecutionPage {
  items: Execution[];
  next_cursor?: string | null;
}

/** ENDED are the statuses after which an execution never changes again. */
export const ENDED: readonly ExecutionStatus[] = ['Success', 'Failed', 'CompletedWithErrors', 'Timeout', 'Cancelled'];

/** hasEnded says whether an execution is over (and its stream has nothing more to say). */
export function hasEnded(status: ExecutionStatus | undefined): boolean {
  return !!status && ENDED.includes(status);
}

/** statusesOf reads a comma-separated status filter. */
export function statusesOf(filter: string | undefined): string[] {
  return (filter ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * matchesFilter says whether the server would list e under filter. org is the platform admin's
 * organization choice: the stream, which carries no header, sends every organization's changes.
 */
export function matchesFilter(e: Execution, filter: ExecutionFilter, org: string | null): boolean {
  if (org && e.organization_id !== org) return false;
  if (filter.workflow && e.workflow_name !== filter.workflow) return false;
  const statuses = statusesOf(filter.status);
  if (statuses.length && !statuses.includes(e.status)) return false;
  const at = Date.parse(e.created_at);
  if (filter.since && at < Date.parse(filter.since)) return false;
  if (filter.until && at >= Date.parse(filter.until)) return false;
  return true;
}

// The history's order, newest first: by creation time, then by id (as the server's cursor).
function isNewer(a: Execution, b: Execution): boolean {
  const ta = Date.parse(a.created_at);
  const tb = Date.parse(b.created_at);
  return ta !== tb ? ta > tb : a.id > b.id;
}

/**
 * applyChange puts a new or changed execution into the history's loaded pages. A row on screen
 * takes the new status wherever it is, even one that no longer matches the filter: rows do not
 * vanish under the reader. A new execution is inserted where the server would list it, unless
 * that place is on a page not loaded yet.
 */
export function applyChange(data: InfiniteData<ExecutionPage> | undefined, e: Execution, matches: boolean): InfiniteData<ExecutionPage> | undefined {
  if (!data) return data;
  for (let p = 0; p < data.pages.length; p++) {
    const i = data.pages[p].items.findIndex((x) => x.id === e.id);
    if (i >= 0) {
      const items = [...data.pages[p].items];
      // The stream leaves out inputs and results: keep what the list had.
      items[i] = { ...items[i], ...e, input_data: items[i].input_data };
      return withPage(data, p, items);
    }
  }
  if (!matches) return data;
  for (let p = 0; p < data.pages.length; p++) {
    const i = data.pages[p].items.findIndex((x) => isNewer(e, x));
    if (i >= 0) return withPage(data, p, [...data.pages[p].items.slice(0, i), e, ...data.pages[p].items.slice(i)]);
  }
  const last = data.pages.length - 1;
  if (last < 0 || data.pages[last].next_cursor) return data;
  return withPage(data, last, [...data.pages[last].items, e]);
}

function withPage(data: InfiniteData<ExecutionPage>, p: number, items: Execution[]): InfiniteData<ExecutionPage> {
  return { ...data, pages: data.pages.map((page, j) => (j === p ? { ...page, items } : page)) };
}

/** mergeExecution applies a status event to an execution's page, keeping its log and what the event leaves out. */
export function mergeExecution(old: ExecutionDetail, e: Execution): ExecutionDetail {
  return {
    ...old,
    ...e,
    input_data: e.input_data ?? old.input_data,
    result: 'result' in e ? e.result : old.result,
    variables: e.variables ?? old.variables,
    worker: e.worker || old.worker,
    logs: old.logs,
    logs_next_after: old.logs_next_after,
  };
}

/** lastSeq is the sequence number of a log's last line (0 for none). */
export function lastSeq(lines: readonly LogLine[]): number {
  return lines.length ? lines[lines.length - 1].seq : 0;
}

/**
 * appendLines adds the lines that come after the log's last one. The stream sends lines in
 * order and without gaps, so anything at or before the last line is a repeat (a replay after
 * reconnecting, or a line a page read already brought).
 */
export function appendLines(log: readonly LogLine[], lines: readonly LogLine[]): LogLine[] {
  let last = lastSeq(log);
  const added: LogLine[] = [];
  for (const l of lines) {
    if (l.seq > last) {
      added.push(l);
      last = l.seq;
    }
  }
  return added.length ? [...log, ...added] : (log as LogLine[]);
}
