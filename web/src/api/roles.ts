// Queries and mutations of /api/roles and /api/permissions.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import type { CreateRoleBody, UpdateRoleBody } from './types';

export function usePermissions() {
  return useQuery({
    queryKey: ['permissions'],
    queryFn: ({ signal }) => api.get('/api/permissions', { signal }),
    staleTime: Infinity,
  });
}

/** useRoles lists the roles of the current scope (and the global ones). */
export function useRoles(enabled = true) {
  return useQuery({
    queryKey: ['roles', 'list'],
    enabled,
    queryFn: ({ signal }) => api.get('/api/roles', { signal }),
  });
}

export function useRoleMembers(id: string) {
  return useQuery({
    queryKey: ['roles', 'members', id],
    queryFn: ({ signal }) => api.get('/api/roles/{id}/users', { signal, params: { id } }),
  });
}

function useInvalidateRoles() {
  const qc = useQueryClient();
  return () => Promise.all([qc.invalidateQueries({ queryKey: ['roles'] }), qc.invalidateQueries({ queryKey: ['users'] })]);
}

export function useCreateRole() {
  const invalidate = useInvalidateRoles();
  return useMutation({
    // Admins name the role's organization explicitly (none: a global role), so the switcher's
    // choice must not be sent: with it, the server would make every new role that organization's.
    mutationFn: ({ body, explicitScope }: { body: CreateRoleBody; explicitScope: boolean }) =>
      api.post('/api/roles', { body, scoped: !explicitScope }),
    onSuccess: invalidate,
  });
}

export function useUpdateRole() {
  const invalidate = useInvalidateRoles();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateRoleBody }) => api.patch('/api/roles/{id}', { params: { id }, body }),
    onSuccess: invalidate,
  });
}

export function useDeleteRole() {
  const invalidate = useInvalidateRoles();
  return useMutation({
    mutationFn: (id: string) => api.delete('/api/roles/{id}', { params: { id } }),
    onSuccess: invalidate,
  });
}

export function useAssignRole() {
  const invalidate = useInvalidateRoles();
  return useMutation({
    mutationFn: ({ id, userIds }: { id: string; userIds: string[] }) =>
      api.post('/api/roles/{id}/users', { params: { id }, body: { user_ids: userIds } }),
    onSuccess: invalidate,
  });
}

export function useUnassignRole() {
  const invalidate = useInvalidateRoles();
  return useMutation({
    mutationFn: ({ id, userId }: { id: string; userId: string }) =>
      api.delete('/api/roles/{id}/users/{user_id}', { params: { id, user_id: userId } }),
    onSuccess: invalidate,
  });
}
