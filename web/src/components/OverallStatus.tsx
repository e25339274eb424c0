export type Overall = 'ok' | 'degraded' | 'unreachable' | 'unknown' | 'checking';

const TEXT: Record<Overall, string> = {
  ok: 'All systems operational',
  degraded: 'Degraded',
  unreachable: 'Unreachable',
  unknown: 'Status unknown',
  checking: 'Checking…',
};

/** OverallStatus is the one badge that sums up the server's health. */
export function OverallStatus({ overall }: { overall: Overall }) {
  return (
    <span className={`badge badge-${overall}`} data-testid="overall-status" role="status">
      {TEXT[overall]}
    </span>
  );
}
