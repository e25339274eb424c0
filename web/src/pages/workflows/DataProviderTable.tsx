import type { WorkflowDefinition } from '../../api/types';
import { formatSeconds, sourceOf } from './describe';

/** DataProviderTable lists the functions that fill form fields with choices. */
export function DataProviderTable({ items }: { items: readonly WorkflowDefinition[] }) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Data providers">
        <thead>
          <tr>
            <th scope="col">Data provider</th>
            <th scope="col">Category</th>
            <th scope="col">Inputs</th>
            <th scope="col">Cached for</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {items.map((d) => (
            <tr key={d.name} data-testid={`provider-row-${d.name}`}>
              <td>
                <code className="cell-strong">{d.name}</code>
                {d.description ? <div className="muted small">{d.description}</div> : null}
              </td>
              <td className="small">{d.category}</td>
              <td className="small">
                {d.parameters.length ? d.parameters.map((p) => p.name).join(', ') : <span className="muted">None</span>}
              </td>
              <td className="small nowrap">{typeof d.cache_ttl_seconds === 'number' ? (d.cache_ttl_seconds ? formatSeconds(d.cache_ttl_seconds) : 'Not cached') : '—'}</td>
              <td className="small">
                <code>{sourceOf(d)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

