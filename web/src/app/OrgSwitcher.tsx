import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId } from 'react';
import { useAllOrganizations } from '../api/organizations';
import { setSelectedOrganization } from '../api/orgScope';
import { useSelectedOrganization } from './auth';

/**
 * OrgSwitcher lets a platform admin act on one organization (X-Organization-Id) or on all of
 * them. Every cached answer belonged to the previous scope, so a switch reloads them.
 */
export function OrgSwitcher() {
  const id = useId();
  const qc = useQueryClient();
  const selected = useSelectedOrganization();
  const orgs = useAllOrganizations();

  // A choice naming an organization that no longer exists would make every request fail.
  const unknown = !!selected && !!orgs.data && !orgs.data.some((o) => o.id === selected);
  useEffect(() => {
    if (unknown) setSelectedOrganization(null);
  }, [unknown]);

  const choose = (value: string) => {
    setSelectedOrganization(value || null);
    void qc.resetQueries({ predicate: (q) => q.queryKey[0] !== 'auth' && !(q.queryKey[0] === 'organizations' && q.queryKey[1] === 'all') });
  };

  return (
    <div className="org-switcher">
      <label htmlFor={id} className="visually-hidden">
        Organization
      </label>
      <select id={id} value={selected ?? ''} onChange={(e) => choose(e.target.value)} data-testid="org-switcher" disabled={orgs.isPending}>
        <option value="">All organizations</option>
        {(orgs.data ?? []).map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
            {o.is_active ? '' : ' (inactive)'}
          </option>
        ))}
      </select>
    </div>
  );
}
