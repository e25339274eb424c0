import type { Integration } from '../../api/types';
import { formatDate, Pill } from '../../components/lists';
import { formatExpiry, IntegrationStatusPill } from './IntegrationStatusPill';

export type IntegrationAction = 'connect' | 'test' | 'refresh' | 'edit' | 'delete';

interface IntegrationTableProps {
  items: Integration[];
  /** The action running now and on which integration: its button says so and the others wait. */
  busy: { id: string; action: IntegrationAction } | null;
  onAction: (action: IntegrationAction, i: Integration) => void;
}

const FLOW_SHORT: Record<Integration['flow'], string> = {
  authorization_code: 'Authorization code',
  client_credentials: 'Client credentials',
  refresh_token: 'Refresh token',
};

/** IntegrationTable lists integrations with their status, token expiry and the actions on each. */
export function IntegrationTable({ items, busy, onAction }: IntegrationTableProps) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Integrations">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Flow</th>
            <th scope="col">Status</th>
            <th scope="col">Token expires</th>
            <th scope="col">Last refresh</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((i) => (
            <tr key={i.id} data-testid={`integration-row-${i.name}`}>
              <td>
                <div>
                  <code className="cell-strong">{i.name}</code> {i.inherited ? <Pill tone="info">global</Pill> : null}
                </div>
                {i.description ? <div className="muted small">{i.description}</div> : null}
              </td>
              <td className="small">{FLOW_SHORT[i.flow]}</td>
              <td>
                <IntegrationStatusPill integration={i} />
              </td>
              <td className="small nowrap">{formatExpiry(i.expires_at)}</td>
              <td className="small nowrap">{formatDate(i.last_refreshed_at)}</td>
              <td className="cell-actions">
                <RowActions integration={i} busy={busy} onAction={onAction} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const LABELS: Record<IntegrationAction, [idle: string, running: string]> = {
  connect: ['Connect', 'Connecting…'],
  test: ['Test', 'Testing…'],
  refresh: ['Refresh now', 'Refreshing…'],
  edit: ['Edit', 'Edit'],
  delete: ['Delete', 'Delete'],
};

function RowActions({ integration: i, busy, onAction }: { integration: Integration; busy: IntegrationTableProps['busy']; onAction: IntegrationTableProps['onAction'] }) {
  // A global integration seen from an organization can be tested there, not changed.
  const actions: IntegrationAction[] = i.inherited
    ? ['test']
    : [...(i.flow === 'authorization_code' ? (['connect'] as const) : []), 'test', 'refresh', 'edit', 'delete'];
  return (
    <>
      {actions.map((a) => {
        const running = busy?.id === i.id && busy.action === a;
        const [idle, doing] = a === 'connect' && i.status === 'completed' ? ['Reconnect', 'Connecting…'] : LABELS[a];
        return (
          <button
            key={a}
            type="button"
            className={`btn btn-small${a === 'delete' ? ' btn-danger-outline' : a === 'connect' ? ' btn-primary' : ''}`}
            disabled={!!busy && (a === 'connect' || a === 'test' || a === 'refresh')}
            onClick={() => onAction(a, i)}
            aria-label={`${idle} ${i.name}`}
          >
            {running ? doing : idle}
          </button>
        );
      })}
    </>
  );
}
