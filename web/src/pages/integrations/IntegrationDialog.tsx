import { useState } from 'react';
import { fieldError } from '../../api/client';
import { useCreateIntegration, useUpdateIntegration } from '../../api/integrations';
import type { Integration, IntegrationFlow } from '../../api/types';
import { CopyField } from '../../components/CopyField';
import { Dialog } from '../../components/Dialog';
import { ErrorAlert } from '../../components/ErrorAlert';
import { CheckboxField, SelectField, TextAreaField, TextField } from '../../components/Field';
import { checkDraft, createBody, draftFrom, fieldsFor, FLOW_LABELS, FLOWS, updateBody, type IntegrationDraft } from './integrationForm';

const FIELDS = ['name', 'description', 'flow', 'client_id', 'client_secret', 'authorization_url', 'token_url', 'scopes', 'params', 'use_pkce', 'test_url', 'refresh_token'];
const NAME_TAKEN = 'integrations.name_taken';

interface IntegrationDialogProps {
  /** The integration to edit; without it the dialog adds one. */
  integration?: Integration;
  /** The callback address to register at the provider, when the server already told it. */
  redirectUri?: string;
  onClose: () => void;
  onSaved?: (i: Integration, created: boolean) => void;
}

/** IntegrationDialog adds or edits an OAuth integration; its fields follow the chosen flow. */
export function IntegrationDialog({ integration, redirectUri, onClose, onSaved }: IntegrationDialogProps) {
  const create = useCreateIntegration();
  const update = useUpdateIntegration();
  const m = integration ? update : create;
  const [d, setD] = useState<IntegrationDraft>(() => draftFrom(integration));
  const [local, setLocal] = useState<Record<string, string>>({});
  const err = m.error;
  const f = fieldsFor(d.flow);
  const editing = !!integration;

  const set = <K extends keyof IntegrationDraft>(k: K, v: IntegrationDraft[K]) => {
    setD((x) => ({ ...x, [k]: v }));
    if (local[k]) setLocal(({ [k]: _, ...rest }) => rest);
  };
  const text = (k: keyof IntegrationDraft) => ({
    name: k,
    value: d[k] as string,
    onChange: (e: { target: { value: string } }) => set(k, e.target.value),
    error: local[k] ?? fieldError(err, k, ...(k === 'name' ? [NAME_TAKEN] : [])),
  });

  const submit = () => {
    const errors = checkDraft(d, editing);
    setLocal(errors);
    if (Object.keys(errors).length) return;
    const done = (i: Integration) => {
      onSaved?.(i, !editing);
      onClose();
    };
    if (integration) update.mutate({ id: integration.id, body: updateBody(d) }, { onSuccess: done });
    else create.mutate(createBody(d), { onSuccess: done });
  };

  return (
    <Dialog title={integration ? `Edit ${integration.name}` : 'New integration'} onClose={onClose} wide>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <div className="form-row">
          <TextField label="Name" {...text('name')} required autoComplete="off" spellCheck={false} hint="What workflows pass to oauth.get(), e.g. microsoft_graph." />
          <TextField label="Description" {...text('description')} />
        </div>
        <SelectField
          label="Flow"
          name="flow"
          value={d.flow}
          onChange={(e) => set('flow', e.target.value as IntegrationFlow)}
          error={fieldError(err, 'flow')}
          hint={editing ? 'Changing the flow, client, URLs, scopes or secret disconnects the integration: connect it again afterwards.' : undefined}
        >
          {FLOWS.map((fl) => (
            <option key={fl} value={fl}>
              {FLOW_LABELS[fl]}
            </option>
          ))}
        </SelectField>
        <div className="form-row">
          <TextField label="Client ID" {...text('client_id')} required autoComplete="off" spellCheck={false} />
          <TextField
            label="Client secret"
            {...text('client_secret')}
            type="password"
            autoComplete="new-password"
            hint={editing ? (integration.has_client_secret ? 'A secret is stored. Leave blank to keep it.' : 'None stored. Leave blank for a public client.') : 'Stored encrypted, never shown again. Blank for a public client.'}
          />
        </div>
        {editing && integration.has_client_secret && !d.client_secret ? (
          <CheckboxField label="Remove the stored client secret" checked={d.remove_client_secret} onChange={(e) => set('remove_client_secret', e.target.checked)} />
        ) : null}
        {f.authorization ? (
          <TextField label="Authorization URL" {...text('authorization_url')} type="url" required placeholder="https://login.example.com/oauth2/authorize" spellCheck={false} />
        ) : null}
        <TextField label="Token URL" {...text('token_url')} type="url" required placeholder="https://login.example.com/oauth2/token" spellCheck={false} />
        <TextField label="Scopes" {...text('scopes')} spellCheck={false} hint="Separated by spaces or commas, e.g. offline_access User.Read." />
        {f.authorization ? (
          <CheckboxField label="Use PKCE (S256)" checked={d.use_pkce} onChange={(e) => set('use_pkce', e.target.checked)} hint="Recommended; turn off only for a provider that rejects it." error={fieldError(err, 'use_pkce')} />
        ) : null}
        {f.refreshToken ? (
          <TextField
            label="Refresh token"
            {...text('refresh_token')}
            type="password"
            autoComplete="off"
            required={!editing}
            hint={editing ? 'Leave blank to keep the current one; a new one reconnects with it.' : 'Redeemed at once for the first access token; stored encrypted.'}
          />
        ) : null}
        <TextField label="Test URL" {...text('test_url')} type="url" spellCheck={false} placeholder="https://graph.microsoft.com/v1.0/organization" hint="Optional: “Test” calls it with the token and expects a 2xx answer." />
        <TextAreaField
          label="Extra parameters"
          {...text('params')}
          rows={3}
          spellCheck={false}
          hint="Optional, one name=value per line (audience, resource, prompt…): sent with the authorization request and client-credentials token requests."
        />
        {f.authorization ? (
          redirectUri ? (
            <CopyField label="Redirect URI" value={redirectUri} hint="Register this callback address at the provider before connecting." />
          ) : (
            <p className="field-hint">The redirect URI to register at the provider is shown once the integration is saved.</p>
          )
        ) : null}
        <ErrorAlert error={err} shownFields={FIELDS} shownCodes={[NAME_TAKEN]} />
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={m.isPending}>
            {m.isPending ? 'Saving…' : editing ? 'Save' : 'Create integration'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
