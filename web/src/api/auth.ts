// Queries and mutations of /api/auth: the signed-in user, sign-in methods and account links.
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { ApiError, api, hasSessionCookie, type Body } from './client';
import { setSelectedOrganization } from './orgScope';
import type { Me, ProvidersResponse } from './types';

export const meKey = ['auth', 'me'] as const;
const providersKey = ['auth', 'providers'] as const;
const setupKey = ['auth', 'setup'] as const;

/** fetchMe reads the signed-in user; null when nobody is signed in. */
export async function fetchMe(signal?: AbortSignal): Promise<Me | null> {
  // No session cookie, no session: skip a request that could only answer 401.
  if (!hasSessionCookie()) return null;
  try {
    // Never scoped: /me describes the user, and a stale choice must not make it fail.
    return await api.get('/api/auth/me', { signal, scoped: false });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export const meQuery = {
  queryKey: meKey,
  queryFn: ({ signal }: { signal?: AbortSignal }) => fetchMe(signal),
  staleTime: 60_000,
  retry: (failures: number, err: Error) => !(err instanceof ApiError) && failures < 2,
};

/** useMe is the signed-in user (null: signed out; undefined: still asking). */
export function useMe() {
  return useQuery(meQuery);
}

/** useProviders lists the sign-in methods, the registration rule and whether setup is needed. */
export function useProviders() {
  return useQuery({
    queryKey: providersKey,
    queryFn: ({ signal }) => api.get('/api/auth/providers', { signal, scoped: false }),
    staleTime: 30_000,
  });
}

/** useSetupStatus says whether the first admin still has to be created. */
export function useSetupStatus() {
  return useQuery({
    queryKey: setupKey,
    queryFn: ({ signal }) => api.get('/api/auth/setup', { signal, scoped: false }),
    staleTime: 0,
  });
}

/**
 * startSession forgets everything cached for whoever used the browser before and loads the new
 * user. Login, setup and an accepted invitation all end here.
 */
export async function startSession(qc: QueryClient): Promise<Me | null> {
  setSelectedOrganization(null);
  qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'auth' });
  // Someone is signed in, so the server has an account: setup is over.
  qc.setQueryData(setupKey, { needed: false });
  qc.setQueryData<ProvidersResponse>(providersKey, (old) => old && { ...old, setup_needed: false });
  return qc.fetchQuery({ ...meQuery, staleTime: 0 });
}

/** endSession forgets the user and everything cached for them. */
export function endSession(qc: QueryClient): void {
  setSelectedOrganization(null);
  qc.setQueryData(meKey, null);
  qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'auth' });
}

function useSessionMutation<V>(fn: (v: V) => Promise<unknown>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (v: V) => {
      await fn(v);
      return startSession(qc);
    },
  });
}

export function useLogin() {
  return useSessionMutation((body: Body<'post', '/api/auth/login'>) => api.post('/api/auth/login', { body, scoped: false }));
}

export function useSetup() {
  return useSessionMutation((body: Body<'post', '/api/auth/setup'>) => api.post('/api/auth/setup', { body, scoped: false }));
}

export function useAcceptInvitation() {
  return useSessionMutation((body: Body<'post', '/api/auth/accept-invitation'>) =>
    api.post('/api/auth/accept-invitation', { body, scoped: false }),
  );
}

/** logout ends the session on the server (everywhere: every session of the user). */
export function logout(everywhere: boolean): Promise<void> {
  return api.post('/api/auth/logout', { body: everywhere ? { everywhere } : undefined, scoped: false });
}

export function useInvitation(token: string) {
  return useQuery({
    queryKey: ['auth', 'invitation', token],
    queryFn: ({ signal }) => api.get('/api/auth/invitation', { signal, query: { token }, scoped: false }),
    enabled: token !== '',
    retry: false,
    staleTime: Infinity,
  });
}

export function useForgotPassword() {
  return useMutation({
    mutationFn: (email: string) => api.post('/api/auth/forgot-password', { body: { email }, scoped: false }),
  });
}

export function useResetPassword() {
  return useMutation({
    mutationFn: (body: Body<'post', '/api/auth/reset-password'>) => api.post('/api/auth/reset-password', { body, scoped: false }),
  });
}

export function useVerifyEmail() {
  return useMutation({
    mutationFn: (token: string) => api.post('/api/auth/verify-email', { body: { token }, scoped: false }),
  });
}

export function useResendVerification() {
  return useMutation({
    mutationFn: (email: string) => api.post('/api/auth/verify-email/resend', { body: { email }, scoped: false }),
  });
}

export function useRegister() {
  return useMutation({
    mutationFn: (body: Body<'post', '/api/auth/register'>) => api.post('/api/auth/register', { body, scoped: false }),
  });
}

export function useChangePassword() {
  return useMutation({
    mutationFn: (body: Body<'post', '/api/auth/change-password'>) => api.post('/api/auth/change-password', { body, scoped: false }),
  });
}
