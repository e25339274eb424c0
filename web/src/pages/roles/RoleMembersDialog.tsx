import { useState } from 'react';
import { useAssignRole, useRoleMembers, useUnassignRole } from '../../api/roles';
import { useActiveUsers } from '../../api/users';
import type { Role } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { ErrorAlert } from '../../components/ErrorAlert';
import { EmptyState, Loading } from '../../components/Loading';

/** RoleMembersDialog lists who holds a role, gives it to more users and takes it away. */
export function RoleMembersDialog({ role, onClose }: { role: Role; onClose: () => void }) {
  const members = useRoleMembers(role.id);
  const users = useActiveUsers();
  const assign = useAssignRole();
  const unassign = useUnassignRole();
  const [pick, setPick] = useState('');
  const items = members.data?.items ?? [];
  const holders = new Set(items.map((m) => m.user_id));
  // Platform admins take no roles; an organization's role only goes to its own users.
  const candidates = (users.data?.items ?? []).filter(
    (u) => !u.is_superuser && !holders.has(u.id) && (!role.organization_id || u.organization_id === role.organization_id),
  );

  return (
    <Dialog title={`Members of ${role.name}`} onClose={onClose} wide>
      {members.isPending ? <Loading /> : null}
      <ErrorAlert error={members.error ?? assign.error ?? unassign.error} />
      {members.isSuccess && items.length === 0 ? <EmptyState title="Nobody holds this role yet." /> : null}
      {items.length ? (
        <ul className="member-list" aria-label="Members">
          {items.map((m) => (
            <li key={m.user_id}>
              <span>{m.email}</span>
              <button
                type="button"
                className="btn btn-small btn-danger-outline"
                disabled={unassign.isPending}
                onClick={() => unassign.mutate({ id: role.id, userId: m.user_id })}
                aria-label={`Remove ${m.email}`}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (pick) assign.mutate({ id: role.id, userIds: [pick] }, { onSuccess: () => setPick('') });
        }}
      >
        <label className="toolbar-field">
          <span>Add a user</span>
          <select value={pick} onChange={(e) => setPick(e.target.value)} disabled={users.isPending}>
            <option value="">{candidates.length ? 'Choose a user…' : 'No other user can take this role'}</option>
            {candidates.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name ? `${u.name} (${u.email})` : u.email}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="btn btn-primary" disabled={!pick || assign.isPending}>
          Add
        </button>
      </form>
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}
