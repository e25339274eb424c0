import type { ComponentStatus } from '../api/client';
import { componentLabel, sortComponentNames } from './componentLabels';

interface ComponentListProps {
  components: Record<string, ComponentStatus | undefined>;
}

/** ComponentList shows one row per dependency the server checks. */
export function ComponentList({ components }: ComponentListProps) {
  const names = sortComponentNames(Object.keys(components));
  return (
    <ul className="components" aria-label="Components">
      {names.map((name) => {
        const c = components[name];
        return c ? <ComponentRow key={name} name={name} status={c} /> : null;
      })}
    </ul>
  );
}

function ComponentRow({ name, status }: { name: string; status: ComponentStatus }) {
  const ok = status.status === 'ok';
  return (
    <li className="component" data-testid={`component-${name}`}>
      <span className={`dot ${ok ? 'dot-ok' : 'dot-bad'}`} aria-hidden="true" />
      <span className="component-name">{componentLabel(name)}</span>
      <span className="component-detail">
        <span className={`component-status ${ok ? 'text-ok' : 'text-bad'}`} data-testid="component-status">
          {status.status}
        </span>
        {!ok && status.error ? <span className="component-error">: {status.error}</span> : null}
        {typeof status.latency_ms === 'number' ? (
          <span className="component-latency">{formatLatency(status.latency_ms)}</span>
        ) : null}
      </span>
    </li>
  );
}

function formatLatency(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}
