import type { ReactNode } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import { useCancelExecution, useLiveExecution, useRunWorkflow } from '../../api/executions';
import { hasEnded } from '../../api/executionUpdates';
import type { ExecutionDetail, RunError } from '../../api/types';
import { useAuth } from '../../app/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDate, Pill } from '../../components/lists';
import { Loading } from '../../components/Loading';
import { formatDuration, triggerLabel, whoRan } from './describe';
import { ExecutionLogs } from './ExecutionLogs';
import { ExecutionResult } from './ExecutionResult';
import type { ListState } from './ExecutionTable';
import { LiveIndicator } from './LiveIndicator';
import { StatusBadge } from './StatusBadge';

/** ExecutionDetailPage shows one execution: how it went, its inputs, its result and its log, live while it runs. */
export function ExecutionDetailPage() {
  const { id = '' } = useParams();
  // A new id is a new page: nothing of the previous execution's log may carry over.
  return <ExecutionView key={id} id={id} />;
}

function ExecutionView({ id }: { id: string }) {
  const location = useLocation();
  const back = `/executions${(location.state as ListState | null)?.list ?? ''}`;
  const live = useLiveExecution(id);
  const { detail } = live;
  const notFound = detail.error instanceof ApiError && detail.error.status === 404;

  return (
    <>
      <title>{`${detail.data?.workflow_name ?? 'Execution'} · Executions · Bifrost`}</title>
      <p className="breadcrumb">
        <Link to={back}>← All executions</Link>
      </p>
      {detail.isPending ? <Loading /> : null}
      {notFound ? (
        <section className="card">
          <h1>Execution not found</h1>
          <p>
            There is no execution <code>{id}</code> that you may see. It may have been removed by the history’s retention, or it belongs to another
            organization.
          </p>
        </section>
      ) : null}
      {detail.isError && !notFound ? <ErrorAlert error={detail.error} /> : null}
      {detail.data ? (
        <>
          <Header execution={detail.data} />
          <Summary execution={detail.data} />
          {detail.data.error ? <ErrorSection error={detail.data.error} /> : null}
          {showsResult(detail.data) ? (
            <section className="card" aria-labelledby="execution-result-title">
              <h2 id="execution-result-title">Result</h2>
              <ExecutionResult result={detail.data.result} type={detail.data.result_type} />
            </section>
          ) : null}
          <section className="card" aria-labelledby="execution-logs-title">
            <div className="card-header">
              <h2 id="execution-logs-title">Logs</h2>
              <LiveIndicator state={live.stream} />
            </div>
            <ExecutionLogs lines={live.logs} running={!hasEnded(detail.data.status)} />
            <ErrorAlert error={live.moreError} />
            {live.hasMoreLogs ? (
              <div className="load-more">
                <button type="button" className="btn" onClick={() => void live.loadMoreLogs()} disabled={live.loadingMore}>
                  {live.loadingMore ? 'Loading…' : 'Load more lines'}
                </button>
              </div>
            ) : null}
          </section>
          <section className="card" aria-labelledby="execution-input-title">
            <h2 id="execution-input-title">Input</h2>
            {Object.keys(detail.data.input_data ?? {}).length ? (
              <pre className="code-block" data-testid="execution-input">
                {JSON.stringify(detail.data.input_data, null, 2)}
              </pre>
            ) : (
              <p className="muted" data-testid="execution-input">
                No inputs.
              </p>
            )}
          </section>
          {detail.data.variables && Object.keys(detail.data.variables).length ? (
            <section className="card" aria-labelledby="execution-variables-title">
              <h2 id="execution-variables-title">Variables</h2>
              <p className="muted small">The workflow’s variables when it ended (platform admins only).</p>
              <pre className="code-block">{JSON.stringify(detail.data.variables, null, 2)}</pre>
            </section>
          ) : null}
        </>
      ) : null}
    </>
  );
}

// A run that ended well always has a result to show, if only "nothing"; one that failed, only when it returned something.
function showsResult(e: ExecutionDetail): boolean {
  if (!hasEnded(e.status)) return false;
  return e.status === 'Success' || e.status === 'CompletedWithErrors' || (e.result !== null && e.result !== undefined);
}

function Header({ execution: e }: { execution: ExecutionDetail }) {
  const { can } = useAuth();
  const navigate = useNavigate();
  const cancel = useCancelExecution(e.id);
  const again = useRunWorkflow();
  const cancellable = e.status === 'Pending' || e.status === 'Running';
  const canRun = can('workflows.run');

  return (
    <>
      <header className="page-header page-header-row">
        <div>
          <h1>{e.workflow_name}</h1>
          <p className="subtitle">
            <StatusBadge status={e.status} testId="execution-status" /> <span className="muted small">Execution {e.id}</span>
          </p>
        </div>
        {canRun ? (
          <div className="header-actions">
            {cancellable ? (
              <button type="button" className="btn btn-danger-outline" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
                {cancel.isPending ? 'Cancelling…' : 'Cancel'}
              </button>
            ) : null}
            {e.kind === 'workflow' ? (
              <button
                type="button"
                className="btn"
                disabled={again.isPending}
                onClick={() =>
                  again.mutate({ name: e.workflow_name, input: e.input_data ?? {} }, { onSuccess: (r) => void navigate(`/executions/${r.execution_id}`) })
                }
              >
                {again.isPending ? 'Starting…' : 'Run again'}
              </button>
            ) : null}
          </div>
        ) : null}
      </header>
      <ErrorAlert error={cancel.error} />
      <ErrorAlert error={again.error} />
    </>
  );
}

function Summary({ execution: e }: { execution: ExecutionDetail }) {
  return (
    <section className="card" aria-label="About this execution">
      <dl className="facts" data-testid="execution-facts">
        <Fact term="Workflow">
          {e.kind === 'workflow' ? <Link to={`/workflows/${encodeURIComponent(e.workflow_name)}`}>{e.workflow_name}</Link> : e.workflow_name}
          {e.kind === 'data_provider' ? <div className="muted small">Data provider</div> : null}
        </Fact>
        <Fact term="Started by">
          {whoRan(e)}
          {e.user_name && e.user_email ? <div className="muted small">{e.user_email}</div> : null}
        </Fact>
        <Fact term="Organization">{e.org_name || <span className="muted">Global</span>}</Fact>
        <Fact term="Trigger">{triggerLabel(e.trigger)}</Fact>
        <Fact term="Queued">{formatDate(e.created_at)}</Fact>
        <Fact term="Started">{formatDate(e.started_at)}</Fact>
        <Fact term="Completed">{formatDate(e.completed_at)}</Fact>
        <Fact term="Duration">{formatDuration(e.duration_ms)}</Fact>
        <Fact term="Attempts">{e.attempts}</Fact>
        {e.worker ? (
          <Fact term="Worker">
            <code>{e.worker}</code>
          </Fact>
        ) : null}
        {e.parent_id ? (
          <Fact term="Started from">
            <Link to={`/executions/${e.parent_id}`} data-testid="execution-parent">
              The parent execution
            </Link>
          </Fact>
        ) : null}
        {e.transient ? <Fact term="History">Transient: removed an hour after it ends</Fact> : null}
      </dl>
    </section>
  );
}

function ErrorSection({ error }: { error: RunError }) {
  return (
    <section className="card execution-error" aria-labelledby="execution-error-title" data-testid="execution-error">
      <h2 id="execution-error-title">Error</h2>
      <p>
        <Pill tone="bad">{error.type}</Pill> <span className="execution-error-message">{error.message}</span>
      </p>
      {error.errors?.length ? (
        <ul className="execution-error-fields">
          {error.errors.map((f, i) => (
            <li key={i}>
              <code>{f.field}</code> {f.message}
            </li>
          ))}
        </ul>
      ) : null}
      {/* The server sends the exception itself to platform admins only. */}
      {error.detail ? (
        <details>
          <summary>Details</summary>
          <pre className="code-block">{error.detail}</pre>
        </details>
      ) : null}
    </section>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}
