import { useOrganizationNames } from '../api/organizations';
import { useAuth, useSelectedOrganization } from './auth';

/** Scope is where the pages of organization data (config, secrets, integrations) act. */
export interface Scope {
  /** A platform admin without an organization chosen: the global entries. */
  isGlobal: boolean;
  /** The organization's name; "" when global. */
  name: string;
}

/**
 * useScope says where requests act: the organization chosen in the header's switcher (platform
 * admins), the user's own organization, or the global scope for an admin who chose none.
 */
export function useScope(): Scope {
  const { user, isAdmin } = useAuth();
  const selected = useSelectedOrganization();
  const names = useOrganizationNames(isAdmin && !!selected);
  if (isAdmin) {
    return selected ? { isGlobal: false, name: names.get(selected) ?? 'the chosen organization' } : { isGlobal: true, name: '' };
  }
  return { isGlobal: false, name: user?.organization?.name ?? 'your organization' };
}
