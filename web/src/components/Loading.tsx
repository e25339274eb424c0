import type { ReactNode } from 'react';
import { ErrorAlert } from './ErrorAlert';

/** Loading is the placeholder while a page's data arrives. */
export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading muted" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

/** EmptyState says that a list has nothing to show, and what to do about it. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <p className="empty-state-title">{title}</p>
      {children ? <p className="muted">{children}</p> : null}
    </div>
  );
}

/**
 * QueryStatus is what a list shows before or instead of its rows: the placeholder while the query
 * runs, its error, or, once it succeeded with nothing to show, the empty state given as children.
 */
export function QueryStatus({
  query,
  empty,
  children,
}: {
  query: { isPending: boolean; isError: boolean; isSuccess: boolean; error: unknown };
  empty: boolean;
  children?: ReactNode;
}) {
  return (
    <>
      {query.isPending ? <Loading /> : null}
      {query.isError ? <ErrorAlert error={query.error} /> : null}
      {query.isSuccess && empty ? children : null}
    </>
  );
}
