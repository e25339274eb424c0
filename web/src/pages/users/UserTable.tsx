import { useResendInvitation, useUpdateUser } from '../../api/users';
import type { User } from '../../api/types';
import { useAuth } from '../../app/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDate, Pill } from '../../components/lists';

interface UserTableProps {
  users: User[];
  /** Names of organizations by id; given when the table spans several organizations. */
  orgNames?: Map<string, string>;
  onEdit: (u: User) => void;
  onDeactivate: (u: User) => void;
  onNotice: (text: string) => void;
}

/** UserTable lists users with their status, roles and the actions on each. */
export function UserTable({ users, orgNames, onEdit, onDeactivate, onNotice }: UserTableProps) {
  const { user: me, isAdmin } = useAuth();
  const resend = useResendInvitation();
  const reactivate = useUpdateUser();

  return (
    <>
      <ErrorAlert error={resend.error ?? reactivate.error} />
      <div className="table-wrap">
        <table className="table" aria-label="Users">
          <thead>
            <tr>
              <th scope="col">User</th>
              {orgNames ? <th scope="col">Organization</th> : null}
              <th scope="col">Roles</th>
              <th scope="col">Status</th>
              <th scope="col">Last sign-in</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} data-testid={`user-row-${u.email}`}>
                <td>
                  <div className="cell-strong">{u.name || u.email}</div>
                  {u.name ? <div className="muted small">{u.email}</div> : null}
                </td>
                {orgNames ? (
                  <td>{u.is_superuser ? <Pill tone="info">Platform admin</Pill> : (orgNames.get(u.organization_id ?? '') ?? '—')}</td>
                ) : null}
                <td>{u.is_superuser ? <span className="muted">All permissions</span> : u.roles.map((r) => r.name).join(', ') || <span className="muted">—</span>}</td>
                <td>
                  <UserStatus user={u} />
                </td>
                <td>{formatDate(u.last_login_at)}</td>
                <td className="cell-actions">
                  {/* Organization users cannot see or change platform admins' accounts. */}
                  {!u.is_superuser || isAdmin ? (
                    <button type="button" className="btn btn-small" onClick={() => onEdit(u)} aria-label={`Edit ${u.email}`}>
                      Edit
                    </button>
                  ) : null}
                  {u.is_active && !u.has_password && (u.invitation_pending || !u.last_login_at) ? (
                    <button
                      type="button"
                      className="btn btn-small"
                      disabled={resend.isPending}
                      onClick={() => resend.mutate(u.id, { onSuccess: () => onNotice(`Invitation sent again to ${u.email}.`) })}
                    >
                      Resend invitation
                    </button>
                  ) : null}
                  {u.is_active && u.id !== me?.id ? (
                    <button type="button" className="btn btn-small btn-danger-outline" onClick={() => onDeactivate(u)} aria-label={`Deactivate ${u.email}`}>
                      Deactivate
                    </button>
                  ) : null}
                  {!u.is_active ? (
                    <button
                      type="button"
                      className="btn btn-small"
                      disabled={reactivate.isPending}
                      onClick={() => reactivate.mutate({ id: u.id, body: { is_active: true } })}
                      aria-label={`Reactivate ${u.email}`}
                    >
                      Reactivate
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function UserStatus({ user }: { user: User }) {
  if (!user.is_active) return <Pill tone="muted">Deactivated</Pill>;
  if (user.invitation_pending) return <Pill tone="warn">Invitation pending</Pill>;
  if (!user.has_password && !user.last_login_at) return <Pill tone="warn">Never signed in</Pill>;
  return <Pill tone="ok">Active</Pill>;
}
