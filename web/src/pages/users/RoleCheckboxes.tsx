import type { Role } from '../../api/types';
import { CheckboxField } from '../../components/Field';

interface RoleCheckboxesProps {
  roles: Role[];
  /** The organization the user belongs to: its roles and the global ones apply. */
  organizationId: string | null | undefined;
  selected: string[];
  onChange: (ids: string[]) => void;
  error?: string;
  orgNames?: Map<string, string>;
}

/** rolesFor lists the roles a user of organizationId can hold. */
export function rolesFor(roles: Role[], organizationId: string | null | undefined): Role[] {
  return roles.filter((r) => !r.organization_id || r.organization_id === organizationId);
}

/** RoleCheckboxes picks the complete set of a user's roles. */
export function RoleCheckboxes({ roles, organizationId, selected, onChange, error }: RoleCheckboxesProps) {
  const usable = rolesFor(roles, organizationId);
  const toggle = (id: string, on: boolean) => onChange(on ? [...selected, id] : selected.filter((s) => s !== id));
  return (
    <fieldset className="fieldset" aria-invalid={error ? true : undefined} aria-describedby={error ? 'role-checkboxes-error' : undefined}>
      <legend>Roles</legend>
      {usable.length === 0 ? <p className="muted small">No roles exist for this organization yet.</p> : null}
      {usable.map((r) => (
        <CheckboxField
          key={r.id}
          label={r.organization_id ? r.name : `${r.name} (global)`}
          hint={r.description || undefined}
          checked={selected.includes(r.id)}
          onChange={(e) => toggle(r.id, e.target.checked)}
        />
      ))}
      {error ? (
        <p id="role-checkboxes-error" className="field-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
