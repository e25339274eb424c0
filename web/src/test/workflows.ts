// Workflow definitions as the server sends them, for the workflows pages' tests.
import type { LoadError, WorkflowDefinition, WorkflowParameter } from '../api/types';

/** parameter builds a parameter; validation is null, as the server sends it when there is none. */
export function parameter(over: Partial<WorkflowParameter>): WorkflowParameter {
  return {
    name: 'x', type: 'string', label: 'X', required: false, validation: null as unknown as WorkflowParameter['validation'],
    data_provider: null, default_value: null, help_text: null, ...over,
  };
}

/** definition builds a workflow definition. */
export function definition(over: Partial<WorkflowDefinition>): WorkflowDefinition {
  return {
    kind: 'workflow', name: 'hello_world', description: 'Say hello to someone.', category: 'Examples', tags: ['example'],
    parameters: [
      parameter({ name: 'name', label: 'Name', required: true }),
      parameter({ name: 'excited', type: 'bool', label: 'Excited', default_value: false }),
    ],
    schema: {}, accepts_extra: false, context_param: null, is_async: true, function: 'hello_world', module: 'hello_world',
    file: 'hello_world.py', line: 10, warnings: [], execution_mode: 'async', timeout_seconds: 1800, retry_policy: null, schedule: null,
    endpoint_enabled: false, allowed_methods: ['POST'], disable_global_key: false, public_endpoint: false, ...over,
  };
}

/** loadError builds a file that did not load; the error is in the file itself unless location says otherwise. */
export function loadError(over: Partial<LoadError>): LoadError {
  const file = over.file ?? 'broken.py';
  return { file, location: file, line: 1, type: 'SyntaxError', message: 'invalid syntax', ...over };
}
