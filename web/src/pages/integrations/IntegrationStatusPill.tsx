import type { Integration } from '../../api/types';
import { Pill } from '../../components/lists';
import { STATUS_LABELS, STATUS_TONES } from './integrationForm';

/** IntegrationStatusPill is an integration's connection status, with the reason when it failed. */
export function IntegrationStatusPill({ integration }: { integration: Pick<Integration, 'status' | 'status_message'> }) {
  return (
    <div data-testid="integration-status" data-status={integration.status}>
      <Pill tone={STATUS_TONES[integration.status]}>{STATUS_LABELS[integration.status]}</Pill>
      {integration.status === 'failed' && integration.status_message ? <div className="cell-message">{integration.status_message}</div> : null}
    </div>
  );
}

/** formatExpiry shows when a token expires, and says when it already has. */
export function formatExpiry(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.getTime() <= now ? `${d.toLocaleString()} (expired)` : d.toLocaleString();
}
