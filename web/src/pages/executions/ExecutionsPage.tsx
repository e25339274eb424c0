import { useEffect, useId, useState } from 'react';
import { Link, useLocation, useSearchParams } from 'react-router';
import { useExecutionPages, useLiveExecutions } from '../../api/executions';
import type { ExecutionFilter } from '../../api/types';
import { useWorkflows } from '../../api/workflows';
import { useAuth } from '../../app/auth';
import { LoadMore, PageHeader, toRFC3339 } from '../../components/lists';
import { EmptyState, QueryStatus } from '../../components/Loading';
import { withParam } from '../../components/searchParams';
import { useDebounced } from '../../components/useDebounced';
import { STATUS_FILTERS } from './describe';
import { ExecutionTable } from './ExecutionTable';
import { LiveIndicator } from './LiveIndicator';

/**
 * ExecutionsPage is the history of executions, newest first, kept current by the live stream.
 * The filters live in the address, so coming back from an execution finds the same list.
 */
export function ExecutionsPage() {
  const { can } = useAuth();
  const { search: listSearch } = useLocation();
  const [params, setParams] = useSearchParams();
  const [workflow, setWorkflow] = useState(params.get('workflow') ?? '');
  const settled = useDebounced(workflow.trim());
  const status = params.get('status') ?? '';
  const since = params.get('since') ?? '';
  const until = params.get('until') ?? '';
  const filter: ExecutionFilter = {
    workflow: settled || undefined,
    status: status || undefined,
    since: toRFC3339(since),
    until: toRFC3339(until),
  };
  const pages = useExecutionPages(filter);
  const live = useLiveExecutions(filter);
  const items = pages.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = !!(settled || status || since || until);

  // The settled workflow name goes to the address; the box follows the address when it changes
  // by itself (the back button). Each effect watches one side only, so neither undoes the other.
  const urlWorkflow = params.get('workflow') ?? '';
  useEffect(() => {
    if (settled !== urlWorkflow) setParams((p) => withParam(p, 'workflow', settled), { replace: true });
  }, [settled]);
  useEffect(() => {
    if (urlWorkflow !== settled) setWorkflow(urlWorkflow);
  }, [urlWorkflow]);

  const set = (name: string) => (e: { target: { value: string } }) => setParams((p) => withParam(p, name, e.target.value), { replace: true });
  const clear = () => {
    setWorkflow('');
    setParams(new URLSearchParams(), { replace: true });
  };

  return (
    <>
      <title>Executions · Bifrost</title>
      <PageHeader title="Executions" subtitle="Every run of a workflow, newest first." action={<LiveIndicator state={live} />} />
      <section className="card">
        <div className="toolbar" role="search">
          <WorkflowFilter value={workflow} onChange={setWorkflow} suggest={can('workflows.run')} />
          <label className="toolbar-field">
            <span>Status</span>
            <select value={status} onChange={set('status')}>
              {STATUS_FILTERS.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
              {STATUS_FILTERS.some((s) => s.value === status) ? null : <option value={status}>{status.split(',').join(', ')}</option>}
            </select>
          </label>
          <label className="toolbar-field">
            <span>From</span>
            <input type="datetime-local" value={since} onChange={set('since')} />
          </label>
          <label className="toolbar-field">
            <span>Until</span>
            <input type="datetime-local" value={until} onChange={set('until')} />
          </label>
        </div>
        <QueryStatus query={pages} empty={!items.length}>
          {filtered ? (
            <EmptyState title="No executions match.">
              <button type="button" className="btn btn-link" onClick={clear}>
                Clear the filters
              </button>
            </EmptyState>
          ) : (
            <EmptyState title="No executions yet.">
              {can('workflows.run') ? (
                <>
                  Run a workflow from the <Link to="/workflows">Workflows</Link> page: its execution shows up here.
                </>
              ) : null}
            </EmptyState>
          )}
        </QueryStatus>
        {items.length ? <ExecutionTable items={items} listSearch={listSearch} /> : null}
        <LoadMore {...pages} />
      </section>
    </>
  );
}

// The workflow filter matches a name exactly: the workspace's names are offered as suggestions.
function WorkflowFilter({ value, onChange, suggest }: { value: string; onChange: (v: string) => void; suggest: boolean }) {
  const listId = useId();
  const workflows = useWorkflows({}, suggest);
  return (
    <label className="toolbar-field">
      <span>Workflow</span>
      <input type="search" value={value} onChange={(e) => onChange(e.target.value)} placeholder="Workflow name" list={suggest ? listId : undefined} autoComplete="off" />
      {suggest ? (
        <datalist id={listId}>
          {(workflows.data?.items ?? []).map((w) => (
            <option key={w.name} value={w.name} />
          ))}
        </datalist>
      ) : null}
    </label>
  );
}
