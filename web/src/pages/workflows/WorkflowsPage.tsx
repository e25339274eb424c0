import { useEffect, useState } from 'react';
import { Link, useLocation, useSearchParams } from 'react-router';
import type { WorkflowsList } from '../../api/types';
import { useDataProviders, useRescanWorkspace, useWorkflows } from '../../api/workflows';
import { useAuth } from '../../app/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDate, PageHeader } from '../../components/lists';
import { EmptyState, Loading } from '../../components/Loading';
import { withParam } from '../../components/searchParams';
import { useDebounced } from '../../components/useDebounced';
import { DataProviderTable } from './DataProviderTable';
import { EmptyWorkspace } from './EmptyWorkspace';
import { LoadErrors } from './LoadErrors';
import { WorkflowTable } from './WorkflowTable';

const PROVIDERS = 'data-providers';

/**
 * WorkflowsPage is the catalogue of what the workers found in the workspace: the workflows (with
 * a search and a category filter), the data providers, and the files that did not load. The
 * filters live in the address, so coming back from a workflow finds the same list.
 */
export function WorkflowsPage() {
  const { isAdmin } = useAuth();
  const { search: listSearch } = useLocation();
  const [params, setParams] = useSearchParams();
  const providers = params.get('view') === PROVIDERS;
  const category = params.get('category') ?? '';
  const [search, setSearch] = useState(params.get('q') ?? '');
  const q = useDebounced(search.trim());
  const list = useWorkflows({ q: q || undefined, category: category || undefined });
  const dataProviders = useDataProviders(q, providers);
  const rescan = useRescanWorkspace();

  // The settled search is written to the address, and the box follows the address when it
  // changes by itself (the back button, the navigation link). Each effect watches one side only,
  // so neither undoes the other.
  const urlQ = params.get('q') ?? '';
  useEffect(() => {
    if (q !== urlQ) setParams((p) => withParam(p, 'q', q), { replace: true });
  }, [q]);
  useEffect(() => {
    if (urlQ !== q) setSearch(urlQ);
  }, [urlQ]);

  const tab = (toProviders: boolean) => `?${withParam(params, 'view', toProviders ? PROVIDERS : '').toString()}`;

  return (
    <>
      <title>Workflows · Bifrost</title>
      <PageHeader
        title="Workflows"
        subtitle={<Subtitle data={list.data} />}
        action={
          isAdmin ? (
            <button type="button" className="btn" onClick={() => rescan.mutate()} disabled={rescan.isPending}>
              {rescan.isPending ? 'Rescanning…' : 'Rescan workspace'}
            </button>
          ) : null
        }
      />
      <ErrorAlert error={rescan.error} />
      <LoadErrors errors={list.data?.errors ?? []} />
      <nav className="tabs" aria-label="Workspace contents">
        <Link to={tab(false)} aria-current={providers ? undefined : 'page'}>
          Workflows
        </Link>
        <Link to={tab(true)} aria-current={providers ? 'page' : undefined}>
          Data providers
        </Link>
      </nav>
      <section className="card">
        <div className="toolbar" role="search">
          <label className="toolbar-field">
            <span>Search</span>
            <input type="search" className="search-wide" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Name, description, category or tag" />
          </label>
          {providers ? null : (
            <label className="toolbar-field">
              <span>Category</span>
              <select value={category} onChange={(e) => setParams((p) => withParam(p, 'category', e.target.value), { replace: true })}>
                <option value="">All categories</option>
                {(list.data?.categories ?? []).map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>
        {providers ? (
          <ProvidersView query={dataProviders} filtered={!!q} />
        ) : (
          <WorkflowsView
            query={list}
            filtered={!!q || !!category}
            canRescan={isAdmin}
            listSearch={listSearch}
            onClear={() => {
              setSearch('');
              setParams((p) => withParam(withParam(p, 'q', ''), 'category', ''), { replace: true });
            }}
          />
        )}
      </section>
    </>
  );
}

function Subtitle({ data }: { data?: WorkflowsList }) {
  return (
    <>
      What the workers found in the workspace.
      {data ? (
        <span className="scanned-at" data-testid="scanned-at">
          {data.scanned_at ? `Last scanned ${formatDate(data.scanned_at)}.` : 'Not scanned yet.'}
        </span>
      ) : null}
    </>
  );
}

interface WorkflowsViewProps {
  query: ReturnType<typeof useWorkflows>;
  filtered: boolean;
  canRescan: boolean;
  listSearch: string;
  onClear: () => void;
}

function WorkflowsView({ query, filtered, canRescan, listSearch, onClear }: WorkflowsViewProps) {
  const items = query.data?.items ?? [];
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  // Before the first scan an empty list says nothing yet; the query asks again until it has one.
  if (!query.data.scanned_at && !items.length) return <Loading label="Waiting for the workers to scan the workspace…" />;
  if (items.length) return <WorkflowTable items={items} listSearch={listSearch} />;
  if (!filtered) return <EmptyWorkspace canRescan={canRescan} />;
  return (
    <EmptyState title="No workflows match.">
      <button type="button" className="btn btn-link" onClick={onClear}>
        Clear the search and the category
      </button>
    </EmptyState>
  );
}

function ProvidersView({ query, filtered }: { query: ReturnType<typeof useDataProviders>; filtered: boolean }) {
  const items = query.data?.items ?? [];
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  if (items.length) return <DataProviderTable items={items} />;
  return (
    <EmptyState title={filtered ? 'No data providers match.' : 'No data providers in the workspace.'}>
      {filtered ? null : (
        <>
          A function decorated with <code>@data_provider</code> returns the choices of a form field, as a list of{' '}
          <code>{'{"label": …, "value": …}'}</code>.
        </>
      )}
    </EmptyState>
  );
}
