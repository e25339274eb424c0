// Queries and mutations of /api/users (permission users.manage).
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import type { InviteUserBody, UpdateUserBody, UserFilter } from './types';

const PAGE_SIZE = 50;

/** useUserPages pages through the users of the current scope. */
export function useUserPages(filter: UserFilter) {
  return useInfiniteQuery({
    queryKey: ['users', 'list', filter],
    queryFn: ({ signal, pageParam }) => api.get('/api/users', { signal, query: { ...filter, cursor: pageParam, limit: PAGE_SIZE } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** useActiveUsers lists up to 200 active users, to pick role members from. */
export function useActiveUsers(enabled = true) {
  return useQuery({
    queryKey: ['users', 'active'],
    enabled,
    queryFn: ({ signal }) => api.get('/api/users', { signal, query: { active: 'true', limit: 200 } }),
  });
}

function useInvalidateUsers() {
  const qc = useQueryClient();
  return () =>
    Promise.all([qc.invalidateQueries({ queryKey: ['users'] }), qc.invalidateQueries({ queryKey: ['roles'] })]);
}

export function useInviteUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    // An admin names the organization (or makes a platform admin) explicitly, so the request
    // need not carry the switcher's choice, which the server requires to match.
    mutationFn: (body: InviteUserBody) =>
      api.post('/api/users', { body, scoped: body.organization_id === undefined && !body.is_superuser }),
    onSuccess: invalidate,
  });
}

export function useUpdateUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateUserBody }) => api.patch('/api/users/{id}', { params: { id }, body }),
    onSuccess: invalidate,
  });
}

export function useDeactivateUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: (id: string) => api.delete('/api/users/{id}', { params: { id } }),
    onSuccess: invalidate,
  });
}

export function useResendInvitation() {
  return useMutation({
    mutationFn: (id: string) => api.post('/api/users/{id}/invitation', { params: { id } }),
  });
}
