import { usePermissions } from '../../api/roles';
import { ErrorAlert } from '../../components/ErrorAlert';
import { CheckboxField } from '../../components/Field';
import { Loading } from '../../components/Loading';

interface PermissionCheckboxesProps {
  selected: string[];
  onChange: (names: string[]) => void;
  disabled?: boolean;
  error?: string;
}

/** PermissionCheckboxes picks a role's permissions, each with what it allows. */
export function PermissionCheckboxes({ selected, onChange, disabled, error }: PermissionCheckboxesProps) {
  const perms = usePermissions();
  const toggle = (name: string, on: boolean) => onChange(on ? [...selected, name] : selected.filter((s) => s !== name));
  return (
    <fieldset className="fieldset" disabled={disabled} aria-describedby={error ? 'permission-checkboxes-error' : undefined}>
      <legend>Permissions</legend>
      {perms.isPending ? <Loading /> : null}
      {perms.isError ? <ErrorAlert error={perms.error} /> : null}
      {(perms.data?.items ?? []).map((p) => (
        <CheckboxField
          key={p.name}
          label={<code>{p.name}</code>}
          hint={p.description}
          name="permissions"
          value={p.name}
          checked={selected.includes(p.name)}
          onChange={(e) => toggle(p.name, e.target.checked)}
        />
      ))}
      {error ? (
        <p id="permission-checkboxes-error" className="field-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
