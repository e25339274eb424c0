import type { ReactNode } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import type { WorkflowDefinition } from '../../api/types';
import { useWorkflow } from '../../api/workflows';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader, Pill } from '../../components/lists';
import { Loading } from '../../components/Loading';
import { describeEndpoint, describeRetry, formatSeconds, sourceOf } from './describe';
import { ParameterForm } from './ParameterForm';

/** ListState is the list's query string, carried to the detail page so "back" keeps the filters. */
export interface ListState {
  list?: string;
}

/** WorkflowDetailPage shows one workflow's settings and the form generated from its parameters, which runs it. */
export function WorkflowDetailPage() {
  const { name = '' } = useParams();
  const location = useLocation();
  const back = `/workflows${(location.state as ListState | null)?.list ?? ''}`;
  const workflow = useWorkflow(name);
  const notFound = workflow.error instanceof ApiError && workflow.error.status === 404;

  return (
    <>
      <title>{`${name} · Workflows · Bifrost`}</title>
      <p className="breadcrumb">
        <Link to={back}>← All workflows</Link>
      </p>
      {workflow.isPending ? <Loading /> : null}
      {notFound ? (
        <section className="card">
          <h1>Workflow not found</h1>
          <p>
            The workspace has no workflow named <code>{name}</code>. It may have been renamed, or its file may not have loaded: the list shows
            the files that did not.
          </p>
        </section>
      ) : null}
      {workflow.isError && !notFound ? <ErrorAlert error={workflow.error} /> : null}
      {workflow.data ? <Details workflow={workflow.data} /> : null}
    </>
  );
}

function Details({ workflow: d }: { workflow: WorkflowDefinition }) {
  return (
    <>
      <PageHeader
        title={d.name}
        subtitle={d.description || <span className="muted">No description.</span>}
        action={
          <Link className="btn" to={`/executions?${new URLSearchParams({ workflow: d.name }).toString()}`}>
            Past executions
          </Link>
        }
      />
      {d.warnings?.length ? (
        <div className="warning-panel" role="note" data-testid="workflow-warnings">
          <p>
            <strong>{d.warnings.length === 1 ? 'A warning' : `${d.warnings.length} warnings`} from loading this workflow:</strong>
          </p>
          <ul>
            {d.warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <section className="card" aria-label="About this workflow">
        <dl className="facts" data-testid="workflow-facts">
          <Fact term="Category">{d.category}</Fact>
          <Fact term="Tags">
            {d.tags?.length ? (
              <span className="tag-list">
                {d.tags.map((t) => (
                  <Pill key={t} tone="muted">
                    {t}
                  </Pill>
                ))}
              </span>
            ) : (
              <span className="muted">None</span>
            )}
          </Fact>
          <Fact term="Execution mode">{d.execution_mode === 'sync' ? 'Sync' : d.execution_mode === 'async' ? 'Async' : '—'}</Fact>
          <Fact term="Timeout">{d.timeout_seconds ? formatSeconds(d.timeout_seconds) : '—'}</Fact>
          <Fact term="Retries">{describeRetry(d.retry_policy)}</Fact>
          <Fact term="Schedule">{d.schedule ? <code>{d.schedule}</code> : <span className="muted">Not scheduled</span>}</Fact>
          <Fact term="HTTP endpoint">{describeEndpoint(d)}</Fact>
          <Fact term="Source">
            <code>{sourceOf(d)}</code>
            <div className="muted small">
              {d.is_async ? 'async def ' : 'def '}
              {d.module}.{d.function}
              {d.context_param ? `, context in ${d.context_param}` : ''}
            </div>
          </Fact>
        </dl>
      </section>
      <section className="card" aria-labelledby="workflow-inputs">
        <h2 id="workflow-inputs">Inputs</h2>
        {/* A rescan may change the parameters: the form then starts again from the new ones. */}
        <ParameterForm key={JSON.stringify(d.parameters)} workflow={d} />
      </section>
    </>
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
