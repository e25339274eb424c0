import type { ReactNode } from 'react';

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
