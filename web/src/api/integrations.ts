// Queries and mutations of /api/integrations (permission integrations.manage). Every call
// carries the switcher's organization; a platform admin without one acts on the global ones.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import type { CreateIntegrationBody, UpdateIntegrationBody } from './types';

/** useIntegrations lists the integrations of the current scope (from an organization, with the global ones). */
export function useIntegrations() {
  return useQuery({
    queryKey: ['integrations', 'list'],
    queryFn: ({ signal }) => api.get('/api/integrations', { signal }),
  });
}

export function useIntegration(id: string | null) {
  return useQuery({
    queryKey: ['integrations', 'detail', id],
    enabled: !!id,
    retry: false,
    queryFn: ({ signal }) => api.get('/api/integrations/{id}', { signal, params: { id: id! } }),
  });
}

function useInvalidateIntegrations() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: ['integrations'] });
}

export function useCreateIntegration() {
  const invalidate = useInvalidateIntegrations();
  return useMutation({
    mutationFn: (body: CreateIntegrationBody) => api.post('/api/integrations', { body }),
    onSuccess: invalidate,
  });
}

export function useUpdateIntegration() {
  const invalidate = useInvalidateIntegrations();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateIntegrationBody }) => api.put('/api/integrations/{id}', { params: { id }, body }),
    onSuccess: invalidate,
  });
}

export function useDeleteIntegration() {
  const invalidate = useInvalidateIntegrations();
  return useMutation({
    mutationFn: (id: string) => api.delete('/api/integrations/{id}', { params: { id } }),
    onSuccess: invalidate,
  });
}

/**
 * useAuthorizeIntegration starts connecting an authorization_code integration: the answer's
 * authorize_url is the provider's consent page, which sends the browser back to the server.
 */
export function useAuthorizeIntegration() {
  const invalidate = useInvalidateIntegrations();
  return useMutation({
    mutationFn: (id: string) => api.post('/api/integrations/{id}/authorize', { params: { id } }),
    onSettled: invalidate,
  });
}

/** useRefreshIntegration gets a new token now; a provider failure is a 502 integrations.refresh_failed. */
export function useRefreshIntegration() {
  const invalidate = useInvalidateIntegrations();
  return useMutation({
    mutationFn: (id: string) => api.post('/api/integrations/{id}/refresh', { params: { id } }),
    // A failure marks the integration failed with the reason: the list must show it either way.
    onSettled: invalidate,
  });
}

export function useTestIntegration() {
  const invalidate = useInvalidateIntegrations();
  return useMutation({
    mutationFn: (id: string) => api.post('/api/integrations/{id}/test', { params: { id } }),
    onSettled: invalidate,
  });
}
