// Queries of /api/workflows and /api/data-providers (permission workflows.run), and the admin's
// rescan. The workspace is one for the whole installation: every organization sees the same list.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import type { WorkflowFilter } from './types';

/** RESCAN_SETTLE_MS is how long after a rescan request the lists are read again (a scan takes about a second). */
export const RESCAN_SETTLE_MS = 1500;

// Until the first scan (a second or two after the server starts) the list is empty for no
// reason the user can act on: ask again until a worker has reported.
const UNSCANNED_POLL_MS = 2000;

/** useWorkflows lists the workflows matching filter, the categories, and the files that did not load. */
export function useWorkflows(filter: WorkflowFilter, enabled = true) {
  return useQuery({
    queryKey: ['workflows', 'list', filter],
    enabled,
    queryFn: ({ signal }) => api.get('/api/workflows', { signal, query: filter }),
    // Keeps the table on screen while a new search runs instead of flashing "Loading…".
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data && !q.state.data.scanned_at ? UNSCANNED_POLL_MS : false),
  });
}

/** useWorkflow reads one workflow; a 404 is workflows.not_found. */
export function useWorkflow(name: string) {
  return useQuery({
    queryKey: ['workflows', 'detail', name],
    retry: false,
    queryFn: ({ signal }) => api.get('/api/workflows/{name}', { signal, params: { name } }),
  });
}

/** useDataProviders lists the data providers whose names match q. */
export function useDataProviders(q: string, enabled = true) {
  return useQuery({
    queryKey: ['workflows', 'data-providers', q],
    enabled,
    queryFn: ({ signal }) => api.get('/api/data-providers', { signal, query: { q } }),
    placeholderData: keepPreviousData,
  });
}

/**
 * useRescanWorkspace asks the workers to import the workspace again (platform admins). The
 * server answers at once and the workers report a moment later, so the lists are read again
 * after RESCAN_SETTLE_MS; the mutation stays pending until then.
 */
export function useRescanWorkspace() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.post('/api/workflows/refresh'),
    onSuccess: async () => {
      await new Promise((resolve) => setTimeout(resolve, RESCAN_SETTLE_MS));
      await qc.invalidateQueries({ queryKey: ['workflows'] });
    },
  });
}
