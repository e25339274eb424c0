import { useState } from 'react';
import { fieldError } from '../../api/client';
import { useAllOrganizations } from '../../api/organizations';
import { useRoles } from '../../api/roles';
import { useUpdateUser } from '../../api/users';
import type { UpdateUserBody, User } from '../../api/types';
import { useAuth } from '../../app/auth';
import { Dialog } from '../../components/Dialog';
import { ErrorAlert } from '../../components/ErrorAlert';
import { CheckboxField, SelectField, TextField } from '../../components/Field';
import { formText } from '../../components/form';
import { RoleCheckboxes, rolesFor } from './RoleCheckboxes';

const FIELDS = ['name', 'is_superuser', 'organization_id', 'role_ids', 'is_active'];

/** EditUserDialog changes a user's name and roles; platform admins also change who is one. */
export function EditUserDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const { isAdmin } = useAuth();
  const roles = useRoles();
  const orgs = useAllOrganizations(isAdmin);
  const update = useUpdateUser();
  const [superuser, setSuperuser] = useState(user.is_superuser);
  const [orgId, setOrgId] = useState(user.organization_id ?? '');
  const [roleIds, setRoleIds] = useState(user.roles.map((r) => r.id));
  const err = update.error;
  // A platform admin who becomes an organization user needs an organization.
  const leavingAdmin = user.is_superuser && !superuser;
  const targetOrg = leavingAdmin ? orgId : user.organization_id;

  return (
    <Dialog title={`Edit ${user.email}`} onClose={onClose}>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const body: UpdateUserBody = { name: formText(e).name.trim() };
          if (superuser !== user.is_superuser) body.is_superuser = superuser;
          if (leavingAdmin) body.organization_id = orgId || undefined;
          if (!superuser) body.role_ids = rolesFor(roles.data?.items ?? [], targetOrg).filter((r) => roleIds.includes(r.id)).map((r) => r.id);
          update.mutate({ id: user.id, body }, { onSuccess: onClose });
        }}
      >
        <TextField label="Name" name="name" defaultValue={user.name} autoComplete="off" error={fieldError(err, 'name')} />
        {isAdmin ? (
          <CheckboxField
            label="Platform admin"
            checked={superuser}
            onChange={(e) => setSuperuser(e.target.checked)}
            hint={
              superuser !== user.is_superuser
                ? 'Changing this signs the user out everywhere.'
                : 'Platform admins manage every organization and belong to none.'
            }
            error={fieldError(err, 'is_superuser')}
          />
        ) : null}
        {leavingAdmin ? (
          <SelectField label="Organization" name="organization_id" value={orgId} onChange={(e) => setOrgId(e.target.value)} error={fieldError(err, 'organization_id')} required>
            <option value="">Choose an organization…</option>
            {(orgs.data ?? []).map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </SelectField>
        ) : null}
        {!superuser && targetOrg ? (
          <RoleCheckboxes roles={roles.data?.items ?? []} organizationId={targetOrg} selected={roleIds} onChange={setRoleIds} error={fieldError(err, 'role_ids')} />
        ) : null}
        <ErrorAlert error={err} shownFields={FIELDS} />
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={update.isPending}>
            {update.isPending ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
