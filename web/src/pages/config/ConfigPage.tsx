import { useState } from 'react';
import { useConfigEntries, useDeleteConfig } from '../../api/config';
import type { ConfigEntry } from '../../api/types';
import { useScope } from '../../app/scope';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { formatDate, PageHeader, Pill } from '../../components/lists';
import { EmptyState, QueryStatus } from '../../components/Loading';
import { ConfigDialog, type ConfigStart } from './ConfigDialog';
import { displayValue, TYPE_LABELS } from './configValue';

type Open = { kind: 'create'; start?: ConfigStart } | { kind: 'edit' | 'delete'; entry: ConfigEntry } | null;

/**
 * ConfigPage lists the configuration entries workflows read. From an organization, the global
 * entries it inherits are shown read-only, with a way to override them for the organization.
 */
export function ConfigPage() {
  const scope = useScope();
  const entries = useConfigEntries();
  const [open, setOpen] = useState<Open>(null);
  const items = entries.data?.items ?? [];
  const ownKeys = items.filter((e) => !e.inherited).map((e) => e.key);

  return (
    <>
      <title>Config · Bifrost</title>
      <PageHeader
        title="Config"
        subtitle={
          scope.isGlobal
            ? 'Global configuration: every organization’s workflows read these values unless the organization overrides them.'
            : `Configuration of ${scope.name}. Global entries apply unless overridden here.`
        }
        action={
          <button type="button" className="btn btn-primary" onClick={() => setOpen({ kind: 'create' })}>
            New entry
          </button>
        }
      />
      <section className="card">
        <QueryStatus query={entries} empty={items.length === 0}>
          <EmptyState title="No configuration yet.">Add a value with “New entry”.</EmptyState>
        </QueryStatus>
        {items.length ? (
          <div className="table-wrap">
            <table className="table" aria-label="Configuration">
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">Type</th>
                  <th scope="col">Value</th>
                  <th scope="col">Description</th>
                  <th scope="col">Updated</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((e) => (
                  <tr key={e.id} data-testid={`config-row-${e.key}`}>
                    <td>
                      <code className="cell-strong">{e.key}</code> {e.inherited ? <Pill tone="info">global</Pill> : null}
                    </td>
                    <td>
                      <Pill tone={e.type === 'secret_ref' ? 'warn' : 'muted'}>{TYPE_LABELS[e.type]}</Pill>
                    </td>
                    <td className="cell-value" data-testid="config-value">
                      {displayValue(e.type, e.value)}
                    </td>
                    <td className="small">{e.description || <span className="muted">—</span>}</td>
                    <td className="small nowrap">{formatDate(e.updated_at)}</td>
                    <td className="cell-actions">
                      {e.inherited ? (
                        <button
                          type="button"
                          className="btn btn-small"
                          onClick={() => setOpen({ kind: 'create', start: { key: e.key, type: e.type, value: e.value, description: e.description } })}
                          aria-label={`Override ${e.key}`}
                          title="Store a value for this organization that takes precedence over the global one"
                        >
                          Override
                        </button>
                      ) : (
                        <>
                          <button type="button" className="btn btn-small" onClick={() => setOpen({ kind: 'edit', entry: e })} aria-label={`Edit ${e.key}`}>
                            Edit
                          </button>
                          <button type="button" className="btn btn-small btn-danger-outline" onClick={() => setOpen({ kind: 'delete', entry: e })} aria-label={`Delete ${e.key}`}>
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
      {open?.kind === 'create' ? <ConfigDialog start={open.start} ownKeys={ownKeys} onClose={() => setOpen(null)} /> : null}
      {open?.kind === 'edit' ? <ConfigDialog entry={open.entry} onClose={() => setOpen(null)} /> : null}
      {open?.kind === 'delete' ? <DeleteEntry entry={open.entry} inheritsGlobal={!scope.isGlobal} onClose={() => setOpen(null)} /> : null}
    </>
  );
}

function DeleteEntry({ entry, inheritsGlobal, onClose }: { entry: ConfigEntry; inheritsGlobal: boolean; onClose: () => void }) {
  const del = useDeleteConfig();
  return (
    <ConfirmDialog
      title={`Delete ${entry.key}?`}
      confirmLabel="Delete entry"
      onCancel={onClose}
      onConfirm={() => del.mutate(entry.id, { onSuccess: onClose })}
      pending={del.isPending}
      error={del.error}
    >
      <p>
        Workflows reading <code>{entry.key}</code> {inheritsGlobal ? 'get the global value, if there is one, or nothing.' : 'get nothing from now on.'}
      </p>
    </ConfirmDialog>
  );
}
