import type { StreamState } from '../../api/events';

const TEXT: Partial<Record<StreamState, string>> = {
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
  stopped: 'Live updates stopped',
};

/** LiveIndicator says whether a page is following its live stream. */
export function LiveIndicator({ state }: { state: StreamState }) {
  const text = TEXT[state];
  if (!text) return null;
  return (
    <span className={`live-indicator live-${state}`} data-testid="live-indicator" role="status">
      <span className="live-dot" aria-hidden="true" />
      {text}
    </span>
  );
}
