import { useState } from 'react';
import { ApiError } from '../../api/client';
import { useDeleteSecret, useSecrets } from '../../api/secrets';
import type { Secret } from '../../api/types';
import { useScope } from '../../app/scope';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { formatDate, PageHeader, Pill } from '../../components/lists';
import { EmptyState, QueryStatus } from '../../components/Loading';
import { DescribeSecretDialog, NewSecretDialog, ReplaceSecretDialog } from './SecretDialogs';

type Open = { kind: 'create'; name?: string } | { kind: 'replace' | 'describe' | 'delete'; secret: Secret } | null;

/** SecretsPage lists the secrets of the current scope by name (values never leave the server) and manages them. */
export function SecretsPage() {
  const scope = useScope();
  const secrets = useSecrets();
  const [open, setOpen] = useState<Open>(null);
  const items = secrets.data?.items ?? [];
  const close = () => setOpen(null);

  return (
    <>
      <title>Secrets · Bifrost</title>
      <PageHeader
        title="Secrets"
        subtitle={
          scope.isGlobal
            ? 'Global secrets: every organization’s workflows can read them. Values are stored encrypted and never shown.'
            : `Secrets of ${scope.name}. Values are stored encrypted and never shown.`
        }
        action={
          <button type="button" className="btn btn-primary" onClick={() => setOpen({ kind: 'create' })}>
            New secret
          </button>
        }
      />
      <section className="card">
        <QueryStatus query={secrets} empty={items.length === 0}>
          <EmptyState title="No secrets yet.">Store one with “New secret”.</EmptyState>
        </QueryStatus>
        {items.length ? (
          <div className="table-wrap">
            <table className="table" aria-label="Secrets">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Description</th>
                  <th scope="col">Created</th>
                  <th scope="col">Updated</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((s) => (
                  <tr key={s.id} data-testid={`secret-row-${s.name}`}>
                    <td>
                      <code className="cell-strong">{s.name}</code> {s.inherited ? <Pill tone="info">global</Pill> : null}
                    </td>
                    <td className="small">{s.description || <span className="muted">—</span>}</td>
                    <td className="small nowrap">{formatDate(s.created_at)}</td>
                    <td className="small nowrap">{formatDate(s.updated_at)}</td>
                    <td className="cell-actions">
                      {s.inherited ? (
                        <button
                          type="button"
                          className="btn btn-small"
                          onClick={() => setOpen({ kind: 'create', name: s.name })}
                          aria-label={`Override ${s.name}`}
                          title="Store a value for this organization that its workflows read instead of the global one"
                        >
                          Override
                        </button>
                      ) : (
                        <>
                          <button type="button" className="btn btn-small" onClick={() => setOpen({ kind: 'replace', secret: s })} aria-label={`Replace the value of ${s.name}`}>
                            Replace value
                          </button>
                          <button type="button" className="btn btn-small" onClick={() => setOpen({ kind: 'describe', secret: s })} aria-label={`Describe ${s.name}`}>
                            Describe
                          </button>
                          <button type="button" className="btn btn-small btn-danger-outline" onClick={() => setOpen({ kind: 'delete', secret: s })} aria-label={`Delete ${s.name}`}>
                            Delete
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
      {open?.kind === 'create' ? <NewSecretDialog name={open.name} onClose={close} /> : null}
      {open?.kind === 'replace' ? <ReplaceSecretDialog secret={open.secret} onClose={close} /> : null}
      {open?.kind === 'describe' ? <DescribeSecretDialog secret={open.secret} onClose={close} /> : null}
      {open?.kind === 'delete' ? <DeleteSecret secret={open.secret} onClose={close} /> : null}
    </>
  );
}

const IN_USE = 'secrets.in_use';

function DeleteSecret({ secret, onClose }: { secret: Secret; onClose: () => void }) {
  const del = useDeleteSecret();
  const inUse = del.error instanceof ApiError && del.error.code === IN_USE ? del.error : null;
  return (
    <ConfirmDialog
      title={`Delete ${secret.name}?`}
      confirmLabel="Delete secret"
      onCancel={onClose}
      onConfirm={() => del.mutate(secret.id, { onSuccess: onClose })}
      pending={del.isPending}
      error={inUse ? null : del.error}
    >
      {inUse ? (
        <div className="alert" role="alert" data-testid="secret-in-use">
          <p>
            <strong>{secret.name} is still in use.</strong> {inUse.detail}
          </p>
        </div>
      ) : (
        <p>Workflows that read it fail from now on. The value cannot be recovered.</p>
      )}
    </ConfirmDialog>
  );
}
