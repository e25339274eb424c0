import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useLayoutEffect, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { endSession, logout, useMe } from '../api/auth';
import { NetworkError, onSessionEnded } from '../api/client';
import { getSelectedOrganization, setSelectedOrganization, subscribeSelectedOrganization } from '../api/orgScope';
import type { Me } from '../api/types';

export interface AuthState {
  /** The signed-in user; null when signed out; undefined while unknown (loading or failed). */
  user: Me | null | undefined;
  loading: boolean;
  /** Why the user could not be read (not a 401: that is simply "signed out"). */
  error: Error | null;
  retry: () => void;
  isAdmin: boolean;
  /** can says whether the user holds a permission (platform admins hold them all). */
  can: (permission: string) => boolean;
}

const AuthContext = createContext<AuthState | null>(null);

/** AuthProvider reads the signed-in user once for the whole app and reacts to a lost session. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const me = useMe();
  const selectedOrg = useSelectedOrganization();

  // When the session cannot be refreshed: forget the user; guarded routes then send to /login.
  useEffect(() => onSessionEnded(() => endSession(qc)), [qc]);

  // A choice left by a platform admin on this browser must never reach the server with an
  // organization user's session (the server would refuse every request with 403).
  const staleScope = !!me.data && !me.data.is_superuser && selectedOrg !== null;
  useLayoutEffect(() => {
    if (staleScope) setSelectedOrganization(null);
  }, [staleScope]);

  const value = useMemo<AuthState>(() => {
    const user = me.data;
    return {
      user,
      loading: me.isPending,
      error: me.error,
      retry: () => void me.refetch(),
      isAdmin: !!user?.is_superuser,
      can: (p) => !!user && (user.is_superuser || user.permissions.includes(p)),
    };
  }, [me.data, me.isPending, me.error, me.refetch]);

  if (staleScope) return null;
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

/** useAuth reads the signed-in user and their permissions. */
export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}

/** useSelectedOrganization is the admin's organization choice (null: all organizations). */
export function useSelectedOrganization(): string | null {
  return useSyncExternalStore(subscribeSelectedOrganization, getSelectedOrganization, () => null);
}

/** safeRedirect keeps a ?redirect= target on this site: a path, never another origin. */
export function safeRedirect(raw: string | null | undefined): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/';
  return raw;
}

/** loginPath is /login with a redirect back to the given path. */
export function loginPath(here: string): string {
  return here === '/' ? '/login?redirect=%2F' : `/login?redirect=${encodeURIComponent(here)}`;
}

/**
 * useSignOut ends the session on the server, then goes to /login and forgets the user. Only an
 * unreachable server keeps the user signed in here: the HttpOnly cookies would still be there.
 */
export function useSignOut() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: async (everywhere: boolean) => {
      try {
        await logout(everywhere);
      } catch (err) {
        if (err instanceof NetworkError) throw err;
      }
      // Leave the guarded page first, committed at once: forgetting the user while it is still
      // on screen would make its guard send them to /login?redirect=<that page>.
      await navigate(everywhere ? '/login?notice=signed_out_everywhere' : '/login', { replace: true, flushSync: true });
      endSession(qc);
    },
  });
}
