import { Link } from 'react-router';
import type { WorkflowDefinition } from '../../api/types';
import { Pill } from '../../components/lists';
import { plural, sourceOf } from './describe';
import type { ListState } from './WorkflowDetailPage';

/** WorkflowTable lists workflows: what each does, its inputs, how and when it runs, and its source. */
export function WorkflowTable({ items, listSearch }: { items: readonly WorkflowDefinition[]; listSearch: string }) {
  const state: ListState = { list: listSearch };
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Workflows">
        <thead>
          <tr>
            <th scope="col">Workflow</th>
            <th scope="col">Category</th>
            <th scope="col">Inputs</th>
            <th scope="col">Mode</th>
            <th scope="col">Schedule</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {items.map((w) => (
            <tr key={w.name} data-testid={`workflow-row-${w.name}`}>
              <td>
                <Link to={`/workflows/${encodeURIComponent(w.name)}`} state={state} className="cell-strong">
                  {w.name}
                </Link>
                {w.warnings?.length ? (
                  <>
                    {' '}
                    <Pill tone="warn">{plural(w.warnings.length, 'warning')}</Pill>
                  </>
                ) : null}
                {w.description ? <div className="muted small">{w.description}</div> : null}
                {w.tags?.length ? (
                  <div className="tag-list" aria-label="Tags">
                    {w.tags.map((t) => (
                      <Pill key={t} tone="muted">
                        {t}
                      </Pill>
                    ))}
                  </div>
                ) : null}
              </td>
              <td className="small">{w.category}</td>
              <td className="small nowrap">{plural(w.parameters.length, 'input')}</td>
              <td>
                <Pill tone={w.execution_mode === 'sync' ? 'info' : 'muted'}>{w.execution_mode ?? '—'}</Pill>
              </td>
              <td className="small">{w.schedule ? <code>{w.schedule}</code> : <span className="muted">—</span>}</td>
              <td className="small">
                <code>{sourceOf(w)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
