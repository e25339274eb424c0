import { useState } from 'react';
import { useOrganizationNames } from '../../api/organizations';
import { useUserPages } from '../../api/users';
import type { User } from '../../api/types';
import { useAuth, useSelectedOrganization } from '../../app/auth';
import { LoadMore, PageHeader } from '../../components/lists';
import { EmptyState, QueryStatus } from '../../components/Loading';
import { useDebounced } from '../../components/useDebounced';
import { DeactivateUser } from './DeactivateUser';
import { EditUserDialog } from './EditUserDialog';
import { InviteUserDialog } from './InviteUserDialog';
import { UserTable } from './UserTable';

/** UsersPage lists the users of the current scope and invites, edits and deactivates them. */
export function UsersPage() {
  const { isAdmin } = useAuth();
  const selectedOrg = useSelectedOrganization();
  const [search, setSearch] = useState('');
  const [active, setActive] = useState('true');
  const filter = { search: useDebounced(search.trim()), active: active || undefined };
  const pages = useUserPages(filter);
  const orgNames = useOrganizationNames(isAdmin);
  const [inviting, setInviting] = useState(false);
  const [editing, setEditing] = useState<User | null>(null);
  const [deactivating, setDeactivating] = useState<User | null>(null);
  const [notice, setNotice] = useState('');
  const users = pages.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <title>Users · Bifrost</title>
      <PageHeader
        title="Users"
        subtitle={isAdmin && !selectedOrg ? 'Everyone on this server, in every organization.' : 'The people of your organization.'}
        action={
          <button type="button" className="btn btn-primary" onClick={() => setInviting(true)}>
            Invite user
          </button>
        }
      />
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      <section className="card">
        <div className="toolbar" role="search">
          <label className="toolbar-field">
            <span>Search</span>
            <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Email or name" />
          </label>
          <label className="toolbar-field">
            <span>Status</span>
            <select value={active} onChange={(e) => setActive(e.target.value)}>
              <option value="true">Active</option>
              <option value="false">Deactivated</option>
              <option value="">All</option>
            </select>
          </label>
        </div>
        <QueryStatus query={pages} empty={users.length === 0}>
          <EmptyState title={filter.search ? 'No user matches.' : 'No users here yet.'}>
            {filter.search ? 'Try another search.' : 'Invite someone with “Invite user”.'}
          </EmptyState>
        </QueryStatus>
        {users.length ? (
          <UserTable
            users={users}
            orgNames={isAdmin && !selectedOrg ? orgNames : undefined}
            onEdit={setEditing}
            onDeactivate={setDeactivating}
            onNotice={setNotice}
          />
        ) : null}
        <LoadMore {...pages} />
      </section>
      {inviting ? (
        <InviteUserDialog
          onClose={() => setInviting(false)}
          onInvited={(u, sent) => setNotice(sent ? `Invitation sent to ${u.email}.` : `${u.email} was added without an email.`)}
        />
      ) : null}
      {editing ? <EditUserDialog user={editing} onClose={() => setEditing(null)} /> : null}
      {deactivating ? <DeactivateUser user={deactivating} onClose={() => setDeactivating(null)} /> : null}
    </>
  );
}
