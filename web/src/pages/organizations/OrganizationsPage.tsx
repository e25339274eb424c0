import { useState } from 'react';
import { useDeactivateOrganization, useOrganizationPages, useUpdateOrganization } from '../../api/organizations';
import type { Organization } from '../../api/types';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDate, LoadMore, PageHeader, Pill } from '../../components/lists';
import { EmptyState, QueryStatus } from '../../components/Loading';
import { useDebounced } from '../../components/useDebounced';
import { OrganizationDialog } from './OrganizationDialog';

type Editing = { mode: 'create' } | { mode: 'edit'; org: Organization } | null;

/** OrganizationsPage lists the client organizations (platform admins only) and manages them. */
export function OrganizationsPage() {
  const [search, setSearch] = useState('');
  const [active, setActive] = useState('true');
  const filter = { search: useDebounced(search.trim()), active: active || undefined };
  const pages = useOrganizationPages(filter);
  const [editing, setEditing] = useState<Editing>(null);
  const [deactivating, setDeactivating] = useState<Organization | null>(null);
  const orgs = pages.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <title>Organizations · Bifrost</title>
      <PageHeader
        title="Organizations"
        subtitle="The client organizations on this server. Users, roles and data belong to one of them."
        action={
          <button type="button" className="btn btn-primary" onClick={() => setEditing({ mode: 'create' })}>
            New organization
          </button>
        }
      />
      <section className="card">
        <div className="toolbar" role="search">
          <label className="toolbar-field">
            <span>Search</span>
            <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Name, slug or domain" />
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
        <QueryStatus query={pages} empty={orgs.length === 0}>
          <EmptyState title={filter.search ? 'No organization matches.' : 'No organizations yet.'}>
            {filter.search ? 'Try another search.' : 'Create the first one with “New organization”.'}
          </EmptyState>
        </QueryStatus>
        {orgs.length ? (
          <OrganizationTable orgs={orgs} onEdit={(org) => setEditing({ mode: 'edit', org })} onDeactivate={setDeactivating} />
        ) : null}
        <LoadMore {...pages} />
      </section>
      {editing ? (
        <OrganizationDialog org={editing.mode === 'edit' ? editing.org : undefined} onClose={() => setEditing(null)} />
      ) : null}
      {deactivating ? <DeactivateOrganization org={deactivating} onClose={() => setDeactivating(null)} /> : null}
    </>
  );
}

interface TableProps {
  orgs: Organization[];
  onEdit: (o: Organization) => void;
  onDeactivate: (o: Organization) => void;
}

function OrganizationTable({ orgs, onEdit, onDeactivate }: TableProps) {
  const reactivate = useUpdateOrganization();
  return (
    <>
      {reactivate.isError ? <ErrorAlert error={reactivate.error} /> : null}
      <div className="table-wrap">
        <table className="table" aria-label="Organizations">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Slug</th>
              <th scope="col">Email domain</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {orgs.map((o) => (
              <tr key={o.id} data-testid={`org-row-${o.slug}`}>
                <td className="cell-strong">{o.name}</td>
                <td>
                  <code>{o.slug}</code>
                </td>
                <td>{o.email_domain || <span className="muted">—</span>}</td>
                <td>{o.is_active ? <Pill tone="ok">Active</Pill> : <Pill tone="muted">Deactivated</Pill>}</td>
                <td>{formatDate(o.created_at, false)}</td>
                <td className="cell-actions">
                  <button type="button" className="btn btn-small" onClick={() => onEdit(o)} aria-label={`Edit ${o.name}`}>
                    Edit
                  </button>
                  {o.is_active ? (
                    <button type="button" className="btn btn-small btn-danger-outline" onClick={() => onDeactivate(o)} aria-label={`Deactivate ${o.name}`}>
                      Deactivate
                    </button>
                  ) : (
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={() => reactivate.mutate({ id: o.id, body: { is_active: true } })}
                      disabled={reactivate.isPending}
                      aria-label={`Reactivate ${o.name}`}
                    >
                      Reactivate
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function DeactivateOrganization({ org, onClose }: { org: Organization; onClose: () => void }) {
  const deactivate = useDeactivateOrganization();
  return (
    <ConfirmDialog
      title={`Deactivate ${org.name}?`}
      confirmLabel="Deactivate"
      onCancel={onClose}
      onConfirm={() => deactivate.mutate(org.id, { onSuccess: onClose })}
      pending={deactivate.isPending}
      error={deactivate.error}
    >
      <p>Its users will no longer be able to sign in. Nothing is deleted: you can reactivate it later.</p>
    </ConfirmDialog>
  );
}
