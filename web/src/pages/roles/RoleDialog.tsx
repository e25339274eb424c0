import { useState } from 'react';
import { fieldError } from '../../api/client';
import { useAllOrganizations } from '../../api/organizations';
import { useCreateRole, useUpdateRole } from '../../api/roles';
import type { CreateRoleBody, Role } from '../../api/types';
import { useAuth, useSelectedOrganization } from '../../app/auth';
import { Dialog } from '../../components/Dialog';
import { ErrorAlert } from '../../components/ErrorAlert';
import { SelectField, TextField } from '../../components/Field';
import { formText } from '../../components/form';
import { PermissionCheckboxes } from './PermissionCheckboxes';

const FIELDS = ['name', 'description', 'permissions', 'organization_id'];
const NAME_TAKEN = 'roles.name_taken';

interface RoleDialogProps {
  role?: Role;
  /** Global roles, for organization users: shown, not changed. */
  readOnly?: boolean;
  onClose: () => void;
}

/** RoleDialog creates a role, edits role, or shows it read-only. */
export function RoleDialog({ role, readOnly, onClose }: RoleDialogProps) {
  const { isAdmin } = useAuth();
  const selectedOrg = useSelectedOrganization();
  const orgs = useAllOrganizations(isAdmin && !role);
  const create = useCreateRole();
  const update = useUpdateRole();
  const m = role ? update : create;
  const [perms, setPerms] = useState(role?.permissions ?? []);
  const [orgId, setOrgId] = useState(selectedOrg ?? '');
  const err = m.error;
  const title = role ? (readOnly ? role.name : `Edit ${role.name}`) : 'New role';

  return (
    <Dialog title={title} onClose={onClose} wide>
      {readOnly ? <p className="notice">This is a global role: only platform admins can change it.</p> : null}
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (readOnly) return;
          const v = formText(e);
          const fields = { name: v.name.trim(), description: v.description.trim(), permissions: perms };
          if (role) {
            update.mutate({ id: role.id, body: fields }, { onSuccess: onClose });
          } else {
            const body: CreateRoleBody = { ...fields, organization_id: isAdmin ? orgId || undefined : undefined };
            create.mutate({ body, explicitScope: isAdmin }, { onSuccess: onClose });
          }
        }}
      >
        <TextField label="Name" name="name" defaultValue={role?.name} disabled={readOnly} error={fieldError(err, 'name', NAME_TAKEN)} required />
        <TextField label="Description" name="description" defaultValue={role?.description} disabled={readOnly} error={fieldError(err, 'description')} />
        {isAdmin && !role ? (
          <SelectField
            label="Organization"
            name="organization_id"
            value={orgId}
            onChange={(e) => setOrgId(e.target.value)}
            hint="A global role can be given to users of every organization."
            error={fieldError(err, 'organization_id')}
          >
            <option value="">Global (every organization)</option>
            {(orgs.data ?? []).map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </SelectField>
        ) : null}
        <PermissionCheckboxes selected={perms} onChange={setPerms} disabled={readOnly} error={fieldError(err, 'permissions')} />
        <ErrorAlert error={err} shownFields={FIELDS} shownCodes={[NAME_TAKEN]} />
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            {readOnly ? 'Close' : 'Cancel'}
          </button>
          {readOnly ? null : (
            <button type="submit" className="btn btn-primary" disabled={m.isPending}>
              {m.isPending ? 'Saving…' : role ? 'Save' : 'Create role'}
            </button>
          )}
        </div>
      </form>
    </Dialog>
  );
}
