// Queries and mutations of /api/organizations (platform admins).
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import type { CreateOrganizationBody, Organization, OrganizationFilter, UpdateOrganizationBody } from './types';

const PAGE_SIZE = 50;
// The switcher loads every organization; beyond this many it shows the first ones only.
const ALL_PAGE_SIZE = 200;
const ALL_MAX_PAGES = 10;

/** useOrganizationPages pages through organizations for the Organizations page. */
export function useOrganizationPages(filter: OrganizationFilter) {
  return useInfiniteQuery({
    queryKey: ['organizations', 'list', filter],
    // The admin page spans every organization whatever the switcher says.
    queryFn: ({ signal, pageParam }) =>
      api.get('/api/organizations', { signal, scoped: false, query: { ...filter, cursor: pageParam, limit: PAGE_SIZE } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** useAllOrganizations lists every organization, for the switcher and for names in tables. */
export function useAllOrganizations(enabled = true) {
  return useQuery({
    queryKey: ['organizations', 'all'],
    enabled,
    staleTime: 60_000,
    queryFn: async ({ signal }) => {
      const all: Organization[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < ALL_MAX_PAGES; i++) {
        const page = await api.get('/api/organizations', { signal, scoped: false, query: { cursor, limit: ALL_PAGE_SIZE } });
        all.push(...page.items);
        cursor = page.next_cursor ?? undefined;
        if (!cursor) break;
      }
      return all;
    },
  });
}

/** useOrganizationNames maps organization ids to names (empty until loaded, or for non-admins). */
export function useOrganizationNames(enabled: boolean): Map<string, string> {
  const { data } = useAllOrganizations(enabled);
  return new Map((data ?? []).map((o) => [o.id, o.name]));
}

function useInvalidateOrganizations() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: ['organizations'] });
}

export function useCreateOrganization() {
  const invalidate = useInvalidateOrganizations();
  return useMutation({
    mutationFn: (body: CreateOrganizationBody) => api.post('/api/organizations', { body, scoped: false }),
    onSuccess: invalidate,
  });
}

export function useUpdateOrganization() {
  const invalidate = useInvalidateOrganizations();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateOrganizationBody }) =>
      api.patch('/api/organizations/{id}', { params: { id }, body, scoped: false }),
    onSuccess: invalidate,
  });
}

export function useDeactivateOrganization() {
  const invalidate = useInvalidateOrganizations();
  return useMutation({
    mutationFn: (id: string) => api.delete('/api/organizations/{id}', { params: { id }, scoped: false }),
    onSuccess: invalidate,
  });
}
