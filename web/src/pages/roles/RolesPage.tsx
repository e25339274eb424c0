import { useState } from 'react';
import { useOrganizationNames } from '../../api/organizations';
import { useDeleteRole, useRoles } from '../../api/roles';
import type { Role } from '../../api/types';
import { useAuth } from '../../app/auth';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { PageHeader, Pill } from '../../components/lists';
import { EmptyState, QueryStatus } from '../../components/Loading';
import { RoleDialog } from './RoleDialog';
import { RoleMembersDialog } from './RoleMembersDialog';

type Open = { kind: 'create' } | { kind: 'edit' | 'members' | 'delete'; role: Role } | null;

/** RolesPage lists roles (the organization's and the global ones) and manages them and their members. */
export function RolesPage() {
  const { user, isAdmin } = useAuth();
  const roles = useRoles();
  const orgNames = useOrganizationNames(isAdmin);
  const [open, setOpen] = useState<Open>(null);
  const items = roles.data?.items ?? [];
  // Organization users see global roles but only platform admins change them.
  const editable = (r: Role) => isAdmin || !!r.organization_id;
  const orgName = (id: string) => orgNames.get(id) ?? (user?.organization?.id === id ? user.organization.name : 'One organization');

  return (
    <>
      <title>Roles · Bifrost</title>
      <PageHeader
        title="Roles"
        subtitle="A role is a set of permissions. Users get permissions through the roles they hold."
        action={
          <button type="button" className="btn btn-primary" onClick={() => setOpen({ kind: 'create' })}>
            New role
          </button>
        }
      />
      <section className="card">
        <QueryStatus query={roles} empty={items.length === 0}>
          <EmptyState title="No roles yet.">Create one with “New role”.</EmptyState>
        </QueryStatus>
        {items.length ? (
          <div className="table-wrap">
            <table className="table" aria-label="Roles">
              <thead>
                <tr>
                  <th scope="col">Role</th>
                  <th scope="col">Organization</th>
                  <th scope="col">Permissions</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((r) => (
                  <tr key={r.id} data-testid={`role-row-${r.name}`}>
                    <td>
                      <div className="cell-strong">{r.name}</div>
                      {r.description ? <div className="muted small">{r.description}</div> : null}
                    </td>
                    <td>{r.organization_id ? orgName(r.organization_id) : <Pill tone="info">Global</Pill>}</td>
                    <td className="small">{r.permissions.length ? r.permissions.join(', ') : <span className="muted">None</span>}</td>
                    <td className="cell-actions">
                      <button type="button" className="btn btn-small" onClick={() => setOpen({ kind: 'edit', role: r })} aria-label={`${editable(r) ? 'Edit' : 'View'} ${r.name}`}>
                        {editable(r) ? 'Edit' : 'View'}
                      </button>
                      <button type="button" className="btn btn-small" onClick={() => setOpen({ kind: 'members', role: r })} aria-label={`Members of ${r.name}`}>
                        Members
                      </button>
                      {editable(r) ? (
                        <button type="button" className="btn btn-small btn-danger-outline" onClick={() => setOpen({ kind: 'delete', role: r })} aria-label={`Delete ${r.name}`}>
                          Delete
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
      {open?.kind === 'create' ? <RoleDialog onClose={() => setOpen(null)} /> : null}
      {open?.kind === 'edit' ? <RoleDialog role={open.role} readOnly={!editable(open.role)} onClose={() => setOpen(null)} /> : null}
      {open?.kind === 'members' ? <RoleMembersDialog role={open.role} onClose={() => setOpen(null)} /> : null}
      {open?.kind === 'delete' ? <DeleteRole role={open.role} onClose={() => setOpen(null)} /> : null}
    </>
  );
}

function DeleteRole({ role, onClose }: { role: Role; onClose: () => void }) {
  const del = useDeleteRole();
  return (
    <ConfirmDialog
      title={`Delete the role ${role.name}?`}
      confirmLabel="Delete role"
      onCancel={onClose}
      onConfirm={() => del.mutate(role.id, { onSuccess: onClose })}
      pending={del.isPending}
      error={del.error}
    >
      <p>Everyone holding it loses its permissions at once.</p>
    </ConfirmDialog>
  );
}
