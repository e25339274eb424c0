// Executions: running a workflow (permission workflows.run), the history, one execution with
// its log, cancelling, and the live streams that keep them current. Everyone sees the
// executions they started; executions.view_all and platform admins see everyone's.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api } from './client';
import { useEventStream } from './events';
import { appendLines, applyChange, hasEnded, lastSeq, matchesFilter, mergeExecution, type ExecutionPage } from './executionUpdates';
import { getSelectedOrganization } from './orgScope';
import type { Execution, ExecutionDetail, ExecutionFilter, LogLine } from './types';

const PAGE_SIZE = 50;
const LOG_PAGE_SIZE = 1000;
// Lines that arrive together (a replay, a chatty workflow) are shown together, not one render each.
const LOG_FLUSH_MS = 50;

const listKey = (filter: ExecutionFilter) => ['executions', 'list', filter] as const;
const detailKey = (id: string) => ['executions', 'detail', id] as const;

/** useExecutionPages pages through the history, newest first. */
export function useExecutionPages(filter: ExecutionFilter) {
  return useInfiniteQuery({
    queryKey: listKey(filter),
    queryFn: ({ signal, pageParam }) => api.get('/api/executions', { signal, query: { ...filter, cursor: pageParam, limit: PAGE_SIZE } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/**
 * useLiveExecutions keeps the history's loaded pages current: new executions that match the
 * filter appear at the top, and rows take their new status as it changes.
 */
export function useLiveExecutions(filter: ExecutionFilter) {
  const qc = useQueryClient();
  return useEventStream('/api/executions/stream', {
    on: {
      execution: (data) => {
        const e = data as Execution;
        const matches = matchesFilter(e, filter, getSelectedOrganization());
        qc.setQueryData<InfiniteData<ExecutionPage>>(listKey(filter), (old) => applyChange(old, e, matches));
      },
    },
    // Changes made while the stream was down are read again.
    resync: () => qc.refetchQueries({ queryKey: listKey(filter) }),
  });
}

/** useExecution reads one execution with its first log lines; a 404 is executions.not_found. */
export function useExecution(id: string) {
  return useQuery({
    queryKey: detailKey(id),
    retry: false,
    queryFn: ({ signal }) => api.get('/api/executions/{id}', { signal, params: { id } }),
  });
}

/**
 * useLiveExecution is an execution's page: the execution, kept current by its stream while it
 * runs, and its whole log (the first lines, then what the stream or the next pages bring).
 */
export function useLiveExecution(id: string) {
  const qc = useQueryClient();
  const detail = useExecution(id);
  const running = !!detail.data && !hasEnded(detail.data.status);
  // Lines after those of the detail: streamed, or read page by page.
  const [more, setMore] = useState<LogLine[]>([]);
  const [next, setNext] = useState<number | null | undefined>(undefined);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);
  const streamed = useRef(false);

  const first = detail.data?.logs;
  const logs = useMemo(() => appendLines(first ?? [], more), [first, more]);
  const seen = useRef(0);
  seen.current = lastSeq(logs);

  const pending = useRef<LogLine[]>([]);
  const flushTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const flush = useCallback(() => {
    clearTimeout(flushTimer.current);
    flushTimer.current = undefined;
    const lines = pending.current;
    pending.current = [];
    if (lines.length) setMore((m) => appendLines(m, lines));
  }, []);
  useEffect(() => () => clearTimeout(flushTimer.current), []);

  const update = (e: Execution) => qc.setQueryData<ExecutionDetail>(detailKey(id), (old) => (old ? mergeExecution(old, e) : old));

  if (running) streamed.current = true;
  const stream = useEventStream(running ? `/api/executions/${encodeURIComponent(id)}/stream` : null, {
    // Each connection starts after the last line on screen; Last-Event-ID does the same when
    // the browser reconnects by itself.
    query: () => ({ after: seen.current || undefined }),
    on: {
      log: (data) => {
        pending.current.push(data as LogLine);
        flushTimer.current ??= setTimeout(flush, LOG_FLUSH_MS);
      },
      status: (data) => update(data as Execution),
      end: (data) => {
        flush();
        update(data as Execution);
        void qc.invalidateQueries({ queryKey: detailKey(id) });
        void qc.invalidateQueries({ queryKey: ['executions', 'list'] });
      },
    },
    endEvent: 'end',
    resync: () => qc.refetchQueries({ queryKey: detailKey(id) }, { throwOnError: true }),
  });

  // A stream replays every line after the detail's; without one, the rest is read page by page.
  const nextAfter = next !== undefined ? next : streamed.current ? null : (detail.data?.logs_next_after ?? null);
  const loadMore = async () => {
    if (nextAfter === null) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await api.get('/api/executions/{id}/logs', { params: { id }, query: { after: seen.current, limit: LOG_PAGE_SIZE } });
      setMore((m) => appendLines(m, page.items));
      setNext(page.next_after ?? null);
    } catch (err) {
      setMoreError(err);
    } finally {
      setLoadingMore(false);
    }
  };

  return { detail, logs, stream, hasMoreLogs: nextAfter !== null, loadMoreLogs: loadMore, loadingMore, moreError };
}

/** useRunWorkflow starts a workflow with the given inputs; a 422 executions.invalid_input names the bad ones (input_data.<name>). */
export function useRunWorkflow() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ name, input }: { name: string; input: Record<string, unknown> }) =>
      api.post('/api/workflows/{name}/execute', { params: { name }, body: { input_data: input } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['executions', 'list'] }),
  });
}

/** useCancelExecution stops an execution: a Pending one at once, a Running one within a second (Cancelling meanwhile). */
export function useCancelExecution(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.post('/api/executions/{id}/cancel', { params: { id } }),
    onSuccess: (e) => qc.setQueryData<ExecutionDetail>(detailKey(id), (old) => (old ? mergeExecution(old, e) : old)),
    // 409: it ended meanwhile; the page shows how.
    onError: () => qc.invalidateQueries({ queryKey: detailKey(id) }),
  });
}
