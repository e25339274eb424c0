import { Link } from 'react-router';
import { useSecrets } from '../../api/secrets';
import type { ConfigType } from '../../api/types';
import { CheckboxField, SelectField, TextAreaField, TextField } from '../../components/Field';

interface ConfigValueEditorProps {
  type: ConfigType;
  /** The draft (see configValue.ts): text, "true"/"false", or a secret's name. */
  draft: string;
  onChange: (draft: string) => void;
  error?: string;
}

/** ConfigValueEditor is the input that suits a configuration type. */
export function ConfigValueEditor({ type, draft, onChange, error }: ConfigValueEditorProps) {
  switch (type) {
    case 'string':
      return <TextField label="Value" name="value" value={draft} onChange={(e) => onChange(e.target.value)} error={error} autoComplete="off" />;
    case 'int':
      return (
        <TextField
          label="Value"
          name="value"
          type="number"
          step={1}
          inputMode="numeric"
          value={draft}
          onChange={(e) => onChange(e.target.value)}
          hint="A whole number."
          error={error}
        />
      );
    case 'bool':
      return <CheckboxField label="Value is true" name="value" checked={draft === 'true'} onChange={(e) => onChange(e.target.checked ? 'true' : 'false')} hint="Unchecked is false." error={error} />;
    case 'json':
      return (
        <TextAreaField
          label="Value (JSON)"
          name="value"
          rows={7}
          spellCheck={false}
          value={draft}
          onChange={(e) => onChange(e.target.value)}
          hint='Any JSON value: an object, a list, a number, a "string", true, false or null.'
          error={error}
        />
      );
    case 'secret_ref':
      return <SecretPicker draft={draft} onChange={onChange} error={error} />;
  }
}

// A secret_ref stores a secret's name; the value itself never reaches the browser.
function SecretPicker({ draft, onChange, error }: Omit<ConfigValueEditorProps, 'type'>) {
  const secrets = useSecrets();
  const names = (secrets.data?.items ?? []).map((s) => s.name);
  // A global secret named from an organization's entry is valid but not in this scope's list.
  const options = draft && !names.includes(draft) ? [draft, ...names] : names;
  const hint = secrets.isError ? (
    'The secrets could not be listed.'
  ) : secrets.isSuccess && names.length === 0 ? (
    <>
      No secrets here yet: <Link to="/secrets">create one on the Secrets page</Link>.
    </>
  ) : (
    'Workflows reading this key get the secret’s value; this page only ever shows its name.'
  );
  return (
    <SelectField label="Secret" name="value" value={draft} onChange={(e) => onChange(e.target.value)} disabled={secrets.isPending} hint={hint} error={error}>
      <option value="">{secrets.isPending ? 'Loading secrets…' : 'Choose a secret…'}</option>
      {options.map((n) => (
        <option key={n} value={n}>
          {n}
        </option>
      ))}
    </SelectField>
  );
}
