import { ApiError, type ComponentStatus, type ReadyResponse } from '../api/client';
import { useReady } from '../api/ready';
import { ComponentList } from './ComponentList';
import { OverallStatus, type Overall } from './OverallStatus';

/** StatusCard polls GET /ready and shows whether each dependency of the server is healthy. */
export function StatusCard() {
  const ready = useReady();
  const overall = overallOf(ready.isPending, ready.error, ready.data);

  return (
    <section className="card" aria-labelledby="status-title">
      <div className="card-header">
        <h2 id="status-title">System status</h2>
        <OverallStatus overall={overall} />
      </div>

      {ready.isError ? (
        <p className="alert" role="alert" data-testid="status-error">
          {errorText(ready.error)} Retrying every few seconds…
        </p>
      ) : null}

      {ready.isPending ? <p className="muted">Checking the server…</p> : null}

      {ready.data && !ready.isError ? (
        <>
          <ComponentList components={componentsOf(ready.data)} />
          <p className="card-footer muted">
            <span data-testid="server-version">Version {ready.data.version}</span>
            <span aria-hidden="true"> · </span>
            <span>Last checked {new Date(ready.dataUpdatedAt).toLocaleTimeString()}</span>
          </p>
        </>
      ) : null}
    </section>
  );
}

// A gateway in front of the server (or the dev proxy) answers 502/504 when the server is down.
const GATEWAY_STATUSES = [502, 504];

function isUnreachable(err: Error): boolean {
  return !(err instanceof ApiError) || GATEWAY_STATUSES.includes(err.status);
}

function errorText(err: Error): string {
  if (isUnreachable(err)) return 'Cannot reach the Bifrost server.';
  return `The status check failed: HTTP ${(err as ApiError).status} ${err.message}.`;
}

function overallOf(pending: boolean, error: Error | null, data?: ReadyResponse): Overall {
  if (error) return isUnreachable(error) ? 'unreachable' : 'unknown';
  if (pending || !data) return 'checking';
  const allOk = Object.values(componentsOf(data)).every((c) => !c || c.status === 'ok');
  return data.status === 'ok' && allOk ? 'ok' : 'degraded';
}

// The document may declare components as fixed properties or as a map; both read as a map.
function componentsOf(data: ReadyResponse): Record<string, ComponentStatus | undefined> {
  return (data.components ?? {}) as Record<string, ComponentStatus | undefined>;
}
