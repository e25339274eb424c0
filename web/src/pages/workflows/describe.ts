// How a workflow's settings read on the pages.
import type { RetryPolicy, WorkflowDefinition } from '../../api/types';

/** formatSeconds shows a duration the way people say it: 45 s, 10 min, 1 h 30 min. */
export function formatSeconds(total: number): string {
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = Math.round(total % 60);
  const parts = [h ? `${h} h` : '', m ? `${m} min` : '', s || total === 0 ? `${s} s` : ''].filter(Boolean);
  return parts.join(' ');
}

/** describeRetry says how a failed run is retried. */
export function describeRetry(r: RetryPolicy | null | undefined): string {
  if (!r) return 'Not retried';
  const attempts = r.max_attempts === 1 ? '1 attempt' : `Up to ${r.max_attempts} attempts`;
  return `${attempts}, waiting ${formatSeconds(r.backoff_seconds)} at first and at most ${formatSeconds(r.max_backoff_seconds)}`;
}

/** describeEndpoint says whether and how the workflow is called over HTTP. */
export function describeEndpoint(d: WorkflowDefinition): string {
  if (!d.endpoint_enabled) return 'Disabled';
  const methods = d.allowed_methods?.length ? d.allowed_methods.join(', ') : 'POST';
  const access = d.public_endpoint ? 'public: no API key needed' : d.disable_global_key ? 'its own API key only (the global key is refused)' : 'API key required';
  return `Enabled (${methods}), ${access}`;
}

/** sourceOf is where the workflow is defined, as file:line. */
export function sourceOf(d: { file: string; line: number }): string {
  return d.line ? `${d.file}:${d.line}` : d.file;
}

/** plural counts a noun: "1 input", "3 inputs". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
