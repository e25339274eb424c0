// Executions as the server sends them, for the executions pages' tests.
import type { Execution, ExecutionDetail, LogLine } from '../api/types';

const ID = '00000000-0000-4000-8000-00000000e001';

/** execution builds an execution as the history lists it. */
export function execution(over: Partial<Execution> = {}): Execution {
  const id = over.id ?? ID;
  return {
    id, execution_id: id, workflow_name: 'count_steps', kind: 'workflow', status: 'Running',
    organization_id: '00000000-0000-4000-8000-0000000000c0', org_name: 'Contoso',
    user_id: '00000000-0000-4000-8000-000000000001', user_email: 'tech@contoso.com', user_name: 'Tess Tech',
    form_id: null, parent_id: null, trigger: 'api', transient: false, input_data: { steps: 3 }, result_type: null, error: null,
    attempts: 1, log_count: 0, created_at: '2026-11-29T10:00:00Z', started_at: '2026-11-29T10:00:01Z', completed_at: null, duration_ms: null,
    ...over,
  };
}

/** detail builds GET /api/executions/{id}'s answer: an execution with its first log lines. */
export function detail(over: Partial<ExecutionDetail> = {}): ExecutionDetail {
  return { ...execution(over), logs: [], logs_next_after: null, ...over };
}

/** line builds a log line. */
export function line(seq: number, message: string, level: LogLine['level'] = 'info'): LogLine {
  return { seq, level, message, time: `2026-11-29T10:00:${String(seq % 60).padStart(2, '0')}.000Z` };
}
