import { useState } from 'react';
import { fieldError } from '../../api/client';
import { useSetConfig, useUpdateConfig } from '../../api/config';
import type { ConfigEntry, ConfigType } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { ErrorAlert } from '../../components/ErrorAlert';
import { SelectField, TextField } from '../../components/Field';
import { ConfigValueEditor } from './ConfigValueEditor';
import { checkKey, CONFIG_TYPES, convertDraft, draftFromValue, emptyDraft, parseDraft, TYPE_LABELS } from './configValue';

const FIELDS = ['key', 'type', 'value', 'description'];

/** ConfigStart pre-fills a new entry, e.g. an organization's override of a global one. */
export type ConfigStart = Pick<ConfigEntry, 'key' | 'type' | 'value' | 'description'>;

interface ConfigDialogProps {
  /** The entry to edit; without it the dialog creates one. */
  entry?: ConfigEntry;
  /** A new entry's starting fields. */
  start?: ConfigStart;
  /** Keys of the scope's own entries: setting one of them replaces it. */
  ownKeys?: readonly string[];
  onClose: () => void;
}

/** ConfigDialog creates a configuration entry (or an override) or edits one, with an editor fit for its type. */
export function ConfigDialog({ entry, start, ownKeys = [], onClose }: ConfigDialogProps) {
  const from = entry ?? start;
  const create = useSetConfig();
  const update = useUpdateConfig();
  const m = entry ? update : create;
  const [key, setKey] = useState(from?.key ?? '');
  const [type, setType] = useState<ConfigType>(from?.type ?? 'string');
  const [draft, setDraft] = useState(from ? draftFromValue(from.type, from.value) : emptyDraft('string'));
  const [description, setDescription] = useState(from?.description ?? '');
  const [local, setLocal] = useState<{ key?: string; value?: string }>({});
  const err = m.error;
  const title = entry ? `Edit ${entry.key}` : start ? `Override ${start.key}` : 'New entry';

  const changeType = (t: ConfigType) => {
    setDraft(convertDraft(type, t, draft));
    setType(t);
    setLocal((l) => ({ ...l, value: undefined }));
  };

  const submit = () => {
    const keyError = entry ? undefined : checkKey(key.trim());
    const parsed = parseDraft(type, draft);
    const valueError = parsed.ok ? undefined : parsed.error;
    setLocal({ key: keyError, value: valueError });
    if (keyError || !parsed.ok) return;
    if (entry) {
      update.mutate({ id: entry.id, body: { value: parsed.value, type, description: description.trim() } }, { onSuccess: onClose });
    } else {
      create.mutate({ key: key.trim(), value: parsed.value, type, description: description.trim() }, { onSuccess: onClose });
    }
  };

  const replaces = !entry && ownKeys.includes(key.trim());
  return (
    <Dialog title={title} onClose={onClose} wide>
      {start ? (
        <p className="notice">
          This organization uses the global value of <code>{start.key}</code>. Saving stores its own value, which takes precedence; deleting it later brings the global one back.
        </p>
      ) : null}
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <TextField
          label="Key"
          name="key"
          value={key}
          onChange={(e) => {
            setKey(e.target.value);
            setLocal((l) => ({ ...l, key: undefined }));
          }}
          readOnly={!!entry || !!start}
          required
          autoComplete="off"
          spellCheck={false}
          hint={entry ? undefined : replaces ? 'This key exists here: saving replaces its value.' : 'Letters, digits and underscores, e.g. halo_api_url.'}
          error={local.key ?? fieldError(err, 'key', 'config.key_taken')}
        />
        <SelectField label="Type" name="type" value={type} onChange={(e) => changeType(e.target.value as ConfigType)} error={fieldError(err, 'type')}>
          {CONFIG_TYPES.map((t) => (
            <option key={t} value={t}>
              {TYPE_LABELS[t]}
            </option>
          ))}
        </SelectField>
        <ConfigValueEditor
          type={type}
          draft={draft}
          onChange={(d) => {
            setDraft(d);
            if (local.value) setLocal((l) => ({ ...l, value: parseDraft(type, d).ok ? undefined : l.value }));
          }}
          error={local.value ?? fieldError(err, 'value')}
        />
        <TextField label="Description" name="description" value={description} onChange={(e) => setDescription(e.target.value)} error={fieldError(err, 'description')} />
        <ErrorAlert error={err} shownFields={FIELDS} shownCodes={['config.key_taken']} />
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={m.isPending}>
            {m.isPending ? 'Saving…' : entry ? 'Save' : start ? 'Save override' : 'Create entry'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
