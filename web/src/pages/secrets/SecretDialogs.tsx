import { useState } from 'react';
import { fieldError } from '../../api/client';
import { useCreateSecret, useUpdateSecret } from '../../api/secrets';
import type { Secret } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { ErrorAlert } from '../../components/ErrorAlert';
import { TextField } from '../../components/Field';
import { formText } from '../../components/form';

const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;
const NAME_TAKEN = 'secrets.name_taken';

/** NewSecretDialog stores a secret. Its value goes to the server once and never comes back. */
export function NewSecretDialog({ onClose, name: startName }: { onClose: () => void; name?: string }) {
  const create = useCreateSecret();
  const [local, setLocal] = useState<{ name?: string; value?: string }>({});
  const err = create.error;
  return (
    <Dialog title="New secret" onClose={onClose}>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const v = formText(e);
          const name = v.name.trim();
          const errors = {
            name: NAME_PATTERN.test(name) ? undefined : 'Use 1 to 128 letters, digits, dots, dashes or underscores.',
            value: v.value ? undefined : 'Enter the value to store.',
          };
          setLocal(errors);
          if (errors.name || errors.value) return;
          create.mutate({ name, value: v.value, description: v.description.trim() }, { onSuccess: onClose });
        }}
      >
        <TextField
          label="Name"
          name="name"
          required
          autoComplete="off"
          spellCheck={false}
          defaultValue={startName}
          hint="What workflows pass to secrets.get(), e.g. halo_client_secret."
          error={local.name ?? fieldError(err, 'name', NAME_TAKEN)}
        />
        <TextField
          label="Value"
          name="value"
          type="password"
          required
          autoComplete="new-password"
          hint="Stored encrypted. Nobody can read it back here, not even you."
          error={local.value ?? fieldError(err, 'value')}
        />
        <TextField label="Description" name="description" error={fieldError(err, 'description')} />
        <ErrorAlert error={err} shownFields={['name', 'value', 'description']} shownCodes={[NAME_TAKEN]} />
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            {create.isPending ? 'Saving…' : 'Store secret'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** ReplaceSecretDialog writes a new value; the old one is never shown. */
export function ReplaceSecretDialog({ secret, onClose }: { secret: Secret; onClose: () => void }) {
  const update = useUpdateSecret();
  const [local, setLocal] = useState<string>();
  const err = update.error;
  return (
    <Dialog title={`Replace the value of ${secret.name}`} onClose={onClose}>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const { value } = formText(e);
          setLocal(value ? undefined : 'Enter the new value.');
          if (value) update.mutate({ id: secret.id, body: { value } }, { onSuccess: onClose });
        }}
      >
        <TextField
          label="New value"
          name="value"
          type="password"
          required
          autoComplete="new-password"
          hint="Replaces the stored value at once: workflows read the new one from their next run."
          error={local ?? fieldError(err, 'value')}
        />
        <ErrorAlert error={err} shownFields={['value']} />
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={update.isPending}>
            {update.isPending ? 'Saving…' : 'Replace value'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** DescribeSecretDialog changes what a secret is for, leaving its value alone. */
export function DescribeSecretDialog({ secret, onClose }: { secret: Secret; onClose: () => void }) {
  const update = useUpdateSecret();
  const err = update.error;
  return (
    <Dialog title={`Describe ${secret.name}`} onClose={onClose}>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          update.mutate({ id: secret.id, body: { description: formText(e).description.trim() } }, { onSuccess: onClose });
        }}
      >
        <TextField label="Description" name="description" defaultValue={secret.description} error={fieldError(err, 'description')} />
        <ErrorAlert error={err} shownFields={['description']} />
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
