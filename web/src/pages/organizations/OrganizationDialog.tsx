import { useCreateOrganization, useUpdateOrganization } from '../../api/organizations';
import { fieldError } from '../../api/client';
import type { Organization } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { ErrorAlert } from '../../components/ErrorAlert';
import { CheckboxField, TextField } from '../../components/Field';
import { formText } from '../../components/form';

const FIELDS = ['name', 'slug', 'email_domain', 'is_active'];
const SLUG_TAKEN = 'organizations.slug_taken';
const DOMAIN_TAKEN = 'organizations.email_domain_taken';

/** OrganizationDialog creates an organization, or edits org when one is given. */
export function OrganizationDialog({ org, onClose }: { org?: Organization; onClose: () => void }) {
  const create = useCreateOrganization();
  const update = useUpdateOrganization();
  const m = org ? update : create;
  const err = m.error;

  return (
    <Dialog title={org ? `Edit ${org.name}` : 'New organization'} onClose={onClose}>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const v = formText(e);
          if (org) {
            // An empty domain is sent as "" on purpose: it removes the domain.
            const body = { name: v.name, slug: v.slug, email_domain: v.email_domain.trim(), is_active: v.is_active === 'on' };
            update.mutate({ id: org.id, body }, { onSuccess: onClose });
          } else {
            const body = { name: v.name, slug: v.slug.trim() || undefined, email_domain: v.email_domain.trim() || undefined };
            create.mutate(body, { onSuccess: onClose });
          }
        }}
      >
        <TextField label="Name" name="name" defaultValue={org?.name} error={fieldError(err, 'name')} required />
        <TextField
          label="Slug"
          name="slug"
          defaultValue={org?.slug}
          hint={org ? 'Lower-case letters, digits and dashes.' : 'Optional: made from the name when empty.'}
          error={fieldError(err, 'slug', SLUG_TAKEN)}
          required={!!org}
        />
        <TextField
          label="Email domain"
          name="email_domain"
          defaultValue={org?.email_domain ?? ''}
          placeholder="contoso.com"
          hint="Optional. People with a verified email in this domain may join, when registration by domain is on."
          error={fieldError(err, 'email_domain', DOMAIN_TAKEN)}
        />
        {org ? <CheckboxField label="Active" name="is_active" defaultChecked={org.is_active} error={fieldError(err, 'is_active')} /> : null}
        <ErrorAlert error={err} shownFields={FIELDS} shownCodes={[SLUG_TAKEN, DOMAIN_TAKEN]} />
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={m.isPending}>
            {m.isPending ? 'Saving…' : org ? 'Save' : 'Create organization'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
