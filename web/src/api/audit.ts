// The audit log (permission audit.view), newest first.
import { useInfiniteQuery } from '@tanstack/react-query';
import { api } from './client';
import type { AuditFilter } from './types';

const PAGE_SIZE = 50;

export function useAuditPages(filter: AuditFilter) {
  return useInfiniteQuery({
    queryKey: ['audit', filter],
    queryFn: ({ signal, pageParam }) =>
      api.get('/api/audit-logs', { signal, query: { ...filter, cursor: pageParam, limit: PAGE_SIZE } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}
