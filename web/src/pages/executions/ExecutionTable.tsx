import { Link } from 'react-router';
import type { Execution } from '../../api/types';
import { formatDate } from '../../components/lists';
import { formatDuration, whoRan } from './describe';
import { StatusBadge } from './StatusBadge';

/** ListState is the history's query string, carried to an execution's page so "back" keeps the filters. */
export interface ListState {
  list?: string;
}

/** ExecutionTable lists executions, newest first: what ran, how it went, for whom and how long. */
export function ExecutionTable({ items, listSearch }: { items: readonly Execution[]; listSearch: string }) {
  const state: ListState = { list: listSearch };
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Executions">
        <thead>
          <tr>
            <th scope="col">Workflow</th>
            <th scope="col">Status</th>
            <th scope="col">User</th>
            <th scope="col">Organization</th>
            <th scope="col">Started</th>
            <th scope="col">Duration</th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.id} data-testid={`execution-row-${e.id}`}>
              <td>
                <Link to={`/executions/${e.id}`} state={state} className="cell-strong">
                  {e.workflow_name}
                </Link>
                {e.kind === 'data_provider' ? <div className="muted small">Data provider</div> : null}
              </td>
              <td>
                <StatusBadge status={e.status} />
              </td>
              <td className="small">
                {whoRan(e)}
                {e.user_name && e.user_email ? <div className="muted">{e.user_email}</div> : null}
              </td>
              <td className="small">{e.org_name || <span className="muted">Global</span>}</td>
              <td className="small nowrap">{e.started_at ? formatDate(e.started_at) : <span className="muted">Queued {formatDate(e.created_at)}</span>}</td>
              <td className="small nowrap">{formatDuration(e.duration_ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
