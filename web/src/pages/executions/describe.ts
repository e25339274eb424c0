// How executions read on the pages.
import type { Execution, ExecutionStatus } from '../../api/types';
import { formatSeconds } from '../workflows/describe';

/** STATUS_LABELS names each status for people. */
export const STATUS_LABELS: Record<ExecutionStatus, string> = {
  Pending: 'Pending',
  Running: 'Running',
  Success: 'Success',
  Failed: 'Failed',
  CompletedWithErrors: 'Completed with errors',
  Timeout: 'Timed out',
  Cancelling: 'Cancelling',
  Cancelled: 'Cancelled',
};

/** STATUS_FILTERS are the history's status choices: each one a value of the status query parameter. */
export const STATUS_FILTERS: readonly { value: string; label: string }[] = [
  { value: '', label: 'All statuses' },
  { value: 'Pending,Running,Cancelling', label: 'In progress' },
  { value: 'Success', label: 'Success' },
  { value: 'Failed,Timeout,CompletedWithErrors', label: 'Failed or with errors' },
  { value: 'Cancelled', label: 'Cancelled' },
];

const TRIGGER_LABELS: Record<Execution['trigger'], string> = {
  api: 'Web or API',
  endpoint: 'HTTP endpoint',
  nested: 'Another execution',
  schedule: 'Schedule',
  form: 'Form',
};

/** triggerLabel says what started an execution. */
export function triggerLabel(trigger: Execution['trigger']): string {
  return TRIGGER_LABELS[trigger] ?? trigger;
}

/** formatDuration shows milliseconds the way people say them: 850 ms, 3.2 s, 2 min 5 s. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(Math.round(ms / 100) / 10).toFixed(1)} s`;
  return formatSeconds(Math.round(ms / 1000));
}

/** whoRan names the user who started an execution, or says that nobody did. */
export function whoRan(e: Pick<Execution, 'user_name' | 'user_email'>): string {
  return e.user_name || e.user_email || 'No user';
}
