import { useState } from 'react';
import { useAuditPages } from '../../api/audit';
import { useOrganizationNames } from '../../api/organizations';
import type { AuditEntry } from '../../api/types';
import { useAuth, useSelectedOrganization } from '../../app/auth';
import { formatDate, LoadMore, PageHeader, toRFC3339 } from '../../components/lists';
import { EmptyState, QueryStatus } from '../../components/Loading';
import { useDebounced } from '../../components/useDebounced';

/** AuditPage shows the audit log, newest first, a page at a time. */
export function AuditPage() {
  const { isAdmin } = useAuth();
  const selectedOrg = useSelectedOrganization();
  const [action, setAction] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const filter = { action: useDebounced(action.trim()) || undefined, since: toRFC3339(since), until: toRFC3339(until) };
  const pages = useAuditPages(filter);
  const orgNames = useOrganizationNames(isAdmin);
  const showOrg = isAdmin && !selectedOrg;
  const entries = pages.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <title>Audit log · Bifrost</title>
      <PageHeader title="Audit log" subtitle="Sign-ins and every change to users, roles and organizations, newest first." />
      <section className="card">
        <div className="toolbar" role="search">
          <label className="toolbar-field">
            <span>Action</span>
            <input type="search" value={action} onChange={(e) => setAction(e.target.value)} placeholder="e.g. auth.login" />
          </label>
          <label className="toolbar-field">
            <span>From</span>
            <input type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} />
          </label>
          <label className="toolbar-field">
            <span>Until</span>
            <input type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} />
          </label>
        </div>
        <QueryStatus query={pages} empty={entries.length === 0}>
          <EmptyState title="No entries match." />
        </QueryStatus>
        {entries.length ? (
          <div className="table-wrap">
            <table className="table table-compact" aria-label="Audit log">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Resource</th>
                  {showOrg ? <th scope="col">Organization</th> : null}
                  <th scope="col">Address</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <AuditRow key={e.id} entry={e} orgName={showOrg ? (orgNames.get(e.organization_id ?? '') ?? '—') : undefined} />
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <LoadMore {...pages} />
      </section>
    </>
  );
}

function AuditRow({ entry: e, orgName }: { entry: AuditEntry; orgName?: string }) {
  const details = Object.keys(e.details ?? {}).length ? JSON.stringify(e.details, null, 2) : '';
  return (
    <tr>
      <td className="nowrap">{formatDate(e.created_at)}</td>
      <td>{e.actor_email || <span className="muted">—</span>}</td>
      <td>
        <code>{e.action}</code>
      </td>
      <td className="small">
        {e.resource_type}
        {e.resource_id ? <span className="muted"> {e.resource_id.slice(0, 8)}</span> : null}
      </td>
      {orgName !== undefined ? <td>{orgName}</td> : null}
      <td className="small" title={e.user_agent}>
        {e.ip_address || '—'}
      </td>
      <td>
        {details ? (
          <details>
            <summary>Show</summary>
            <pre className="details-json">{details}</pre>
            <p className="muted small">Request id {e.request_id}</p>
          </details>
        ) : (
          <span className="muted small">Request id {e.request_id}</span>
        )}
      </td>
    </tr>
  );
}
