import type { ExecutionStatus } from '../../api/types';
import { STATUS_LABELS } from './describe';

/** StatusBadge shows an execution's status in its colour; the data-status attribute carries the raw value. */
export function StatusBadge({ status, testId }: { status: ExecutionStatus; testId?: string }) {
  return (
    <span className={`exec-status exec-status-${status.toLowerCase()}`} data-status={status} data-testid={testId}>
      {STATUS_LABELS[status] ?? status}
    </span>
  );
}
