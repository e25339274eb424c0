import { useId, useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError } from '../../api/client';
import { useRunWorkflow } from '../../api/executions';
import type { WorkflowDefinition } from '../../api/types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { ParameterInput } from './ParameterInput';
import { initialDrafts, readForm, type Draft } from './parameterForm';

// The server names a bad input input_data.<parameter>.
const INPUT_FIELD = 'input_data.';

/**
 * ParameterForm is the form generated from a workflow's parameters, and the way to run it. It
 * shows, live, the inputs it would submit, so authors can check how their parameters come out.
 * An input's error shows once it has been visited, or for all of them after "Run"; the server
 * checks the inputs again, and its errors show next to the inputs too until they are changed.
 */
export function ParameterForm({ workflow }: { workflow: WorkflowDefinition }) {
  const previewId = useId();
  const navigate = useNavigate();
  const run = useRunWorkflow();
  const params = workflow.parameters;
  const [drafts, setDrafts] = useState(() => initialDrafts(params));
  const [visited, setVisited] = useState<ReadonlySet<string>>(new Set());
  const [serverErrors, setServerErrors] = useState<Readonly<Record<string, string>>>({});
  const { inputs, errors } = readForm(params, drafts);
  const visit = (name: string) => setVisited((v) => (v.has(name) ? v : new Set(v).add(name)));
  const change = (name: string, d: Draft) => {
    setDrafts((all) => ({ ...all, [name]: d }));
    setServerErrors(({ [name]: _, ...rest }) => rest);
  };
  const problems = params.filter((p) => errors[p.name]);
  const sync = workflow.execution_mode === 'sync';

  const submit = () => {
    setVisited(new Set(params.map((p) => p.name)));
    setServerErrors({});
    if (problems.length) return;
    run.mutate(
      { name: workflow.name, input: inputs },
      {
        onSuccess: (r) => void navigate(`/executions/${r.execution_id}`),
        onError: (err) => setServerErrors(inputErrors(err)),
      },
    );
  };

  return (
    <div className="workflow-form-grid">
      <form
        noValidate
        aria-label="Inputs"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        {params.length === 0 ? <p className="muted">This workflow takes no inputs.</p> : null}
        {params.map((p) => (
          <ParameterInput
            key={p.name}
            param={p}
            draft={drafts[p.name]}
            onChange={(d) => change(p.name, d)}
            onBlur={() => visit(p.name)}
            error={(visited.has(p.name) ? errors[p.name] : undefined) ?? serverErrors[p.name]}
          />
        ))}
        {workflow.accepts_extra ? (
          <p className="field-hint" data-testid="accepts-extra">
            This workflow also takes inputs it does not declare (<code>**kwargs</code>): they are passed to it unchanged.
          </p>
        ) : null}
        <ErrorAlert error={run.error} shownFields={params.map((p) => INPUT_FIELD + p.name)} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={run.isPending}>
            {run.isPending ? (sync ? 'Running…' : 'Starting…') : 'Run'}
          </button>
          <span className="muted small">
            {sync ? 'A sync workflow: the page waits for its result, then shows the execution.' : 'Opens the execution, where its log follows live.'}
          </span>
        </div>
      </form>
      <section className="inputs-preview" aria-labelledby={previewId}>
        <h3 id={previewId}>Inputs preview</h3>
        <p className="muted small">The JSON this form would submit. Blank optional inputs are left out: the workflow gets their defaults.</p>
        <pre className="code-block" data-testid="inputs-preview">
          {JSON.stringify(inputs, null, 2)}
        </pre>
        <p className={`small ${problems.length ? 'text-bad' : 'text-ok'}`} role="status" data-testid="inputs-status">
          {problems.length
            ? `Not ready. ${problems.map((p) => `${p.label || p.name}: ${errors[p.name]}`).join(' ')}`
            : 'Every input is valid.'}
        </p>
      </section>
    </div>
  );
}

// The server's messages for the inputs, by parameter name, capitalised for display.
function inputErrors(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const [field, msg] of Object.entries(err.fields)) {
    if (field.startsWith(INPUT_FIELD)) out[field.slice(INPUT_FIELD.length)] = msg.charAt(0).toUpperCase() + msg.slice(1);
  }
  return out;
}
