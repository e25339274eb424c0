import { useState } from 'react';
import { fieldError } from '../../api/client';
import { useAllOrganizations } from '../../api/organizations';
import { useRoles } from '../../api/roles';
import { useInviteUser } from '../../api/users';
import type { InviteUserBody, User } from '../../api/types';
import { useAuth, useSelectedOrganization } from '../../app/auth';
import { Dialog } from '../../components/Dialog';
import { ErrorAlert } from '../../components/ErrorAlert';
import { CheckboxField, SelectField, TextField } from '../../components/Field';
import { formText } from '../../components/form';
import { RoleCheckboxes, rolesFor } from './RoleCheckboxes';

const FIELDS = ['email', 'name', 'organization_id', 'is_superuser', 'role_ids', 'send_invitation'];

interface InviteUserDialogProps {
  onClose: () => void;
  onInvited: (user: User, emailed: boolean) => void;
}

/** InviteUserDialog creates an account without a password and emails the link to finish it. */
export function InviteUserDialog({ onClose, onInvited }: InviteUserDialogProps) {
  const { user: me, isAdmin } = useAuth();
  const selectedOrg = useSelectedOrganization();
  const orgs = useAllOrganizations(isAdmin);
  const roles = useRoles();
  const invite = useInviteUser();
  const [superuser, setSuperuser] = useState(false);
  const [orgId, setOrgId] = useState(selectedOrg ?? '');
  const [roleIds, setRoleIds] = useState<string[]>([]);
  const err = invite.error;
  // An organization user invites into their own organization; an admin names it.
  const targetOrg = isAdmin ? orgId : me?.organization?.id;

  return (
    <Dialog title="Invite user" onClose={onClose}>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const v = formText(e);
          const body: InviteUserBody = { email: v.email.trim(), name: v.name.trim() || undefined, send_invitation: v.send_invitation === 'on' };
          if (isAdmin && superuser) body.is_superuser = true;
          else if (isAdmin) body.organization_id = orgId || undefined;
          if (!superuser) body.role_ids = rolesFor(roles.data?.items ?? [], targetOrg).filter((r) => roleIds.includes(r.id)).map((r) => r.id);
          invite.mutate(body, {
            onSuccess: (u) => {
              onInvited(u, body.send_invitation !== false);
              onClose();
            },
          });
        }}
      >
        <TextField label="Email" name="email" type="email" autoComplete="off" error={fieldError(err, 'email', 'users.email_taken')} required />
        <TextField label="Name" name="name" autoComplete="off" hint="Optional: they can set it when they accept." error={fieldError(err, 'name')} />
        {isAdmin ? (
          <CheckboxField
            label="Platform admin"
            name="is_superuser"
            checked={superuser}
            onChange={(e) => setSuperuser(e.target.checked)}
            hint="Platform admins manage every organization and belong to none."
            error={fieldError(err, 'is_superuser')}
          />
        ) : null}
        {isAdmin && !superuser ? (
          <SelectField
            label="Organization"
            name="organization_id"
            value={orgId}
            onChange={(e) => {
              setOrgId(e.target.value);
              setRoleIds([]);
            }}
            error={fieldError(err, 'organization_id')}
            required
          >
            <option value="">Choose an organization…</option>
            {(orgs.data ?? [])
              .filter((o) => o.is_active || o.id === orgId)
              .map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
          </SelectField>
        ) : null}
        {!superuser && targetOrg ? (
          <RoleCheckboxes roles={roles.data?.items ?? []} organizationId={targetOrg} selected={roleIds} onChange={setRoleIds} error={fieldError(err, 'role_ids')} />
        ) : null}
        <CheckboxField label="Email the invitation" name="send_invitation" defaultChecked />
        <ErrorAlert error={err} shownFields={FIELDS} shownCodes={['users.email_taken']} />
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={invite.isPending}>
            {invite.isPending ? 'Inviting…' : 'Invite'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
