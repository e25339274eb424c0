// Queries and mutations of /api/secrets (permission secrets.manage). The API never returns a
// value: the UI only writes them. Every call carries the switcher's organization; a platform
// admin without one acts on the global secrets.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import type { CreateSecretBody, UpdateSecretBody } from './types';

/** useSecrets lists the secrets of the current scope (names and dates). */
export function useSecrets(enabled = true) {
  return useQuery({
    queryKey: ['secrets', 'list'],
    enabled,
    queryFn: ({ signal }) => api.get('/api/secrets', { signal }),
  });
}

function useInvalidateSecrets() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: ['secrets'] });
}

export function useCreateSecret() {
  const invalidate = useInvalidateSecrets();
  return useMutation({
    mutationFn: (body: CreateSecretBody) => api.post('/api/secrets', { body }),
    onSuccess: invalidate,
  });
}

export function useUpdateSecret() {
  const invalidate = useInvalidateSecrets();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateSecretBody }) => api.put('/api/secrets/{id}', { params: { id }, body }),
    onSuccess: invalidate,
  });
}

/** useDeleteSecret deletes a secret; the server refuses (409 secrets.in_use) while a config entry names it. */
export function useDeleteSecret() {
  const invalidate = useInvalidateSecrets();
  return useMutation({
    mutationFn: (id: string) => api.delete('/api/secrets/{id}', { params: { id } }),
    onSuccess: invalidate,
  });
}
