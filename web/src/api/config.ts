// Queries and mutations of /api/config (permission config.manage). Every call carries the
// switcher's organization: a platform admin without one acts on the global entries.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import type { SetConfigBody, UpdateConfigBody } from './types';

/** useConfigEntries lists the entries of the current scope (from an organization, with the global ones it inherits). */
export function useConfigEntries() {
  return useQuery({
    queryKey: ['config', 'list'],
    queryFn: ({ signal }) => api.get('/api/config', { signal }),
  });
}

function useInvalidateConfig() {
  const qc = useQueryClient();
  // A secret_ref entry keeps its secret from being deleted: the secrets list cares too.
  return () => Promise.all([qc.invalidateQueries({ queryKey: ['config'] }), qc.invalidateQueries({ queryKey: ['secrets'] })]);
}

/** useSetConfig creates the key in the current scope, or replaces its value there. */
export function useSetConfig() {
  const invalidate = useInvalidateConfig();
  return useMutation({
    mutationFn: (body: SetConfigBody) => api.post('/api/config', { body }),
    onSuccess: invalidate,
  });
}

export function useUpdateConfig() {
  const invalidate = useInvalidateConfig();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateConfigBody }) => api.put('/api/config/{id}', { params: { id }, body }),
    onSuccess: invalidate,
  });
}

export function useDeleteConfig() {
  const invalidate = useInvalidateConfig();
  return useMutation({
    mutationFn: (id: string) => api.delete('/api/config/{id}', { params: { id } }),
    onSuccess: invalidate,
  });
}
