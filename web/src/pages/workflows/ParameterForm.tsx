import { useId, useState } from 'react';
import type { WorkflowDefinition } from '../../api/types';
import { ParameterInput } from './ParameterInput';
import { initialDrafts, readForm, type Draft } from './parameterForm';

/**
 * ParameterForm is the form generated from a workflow's parameters. Running arrives with
 * executions: until then it shows, live, the inputs it would submit, so authors can check how
 * their parameters come out. An input's error shows once it has been visited, or for all of
 * them after "Check inputs".
 */
export function ParameterForm({ workflow }: { workflow: WorkflowDefinition }) {
  const previewId = useId();
  const params = workflow.parameters;
  const [drafts, setDrafts] = useState(() => initialDrafts(params));
  const [visited, setVisited] = useState<ReadonlySet<string>>(new Set());
  const { inputs, errors } = readForm(params, drafts);
  const visit = (name: string) => setVisited((v) => (v.has(name) ? v : new Set(v).add(name)));
  const change = (name: string, d: Draft) => setDrafts((all) => ({ ...all, [name]: d }));
  const problems = params.filter((p) => errors[p.name]);

  return (
    <div className="workflow-form-grid">
      <form
        noValidate
        aria-label="Inputs"
        onSubmit={(e) => {
          e.preventDefault();
          setVisited(new Set(params.map((p) => p.name)));
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
            error={visited.has(p.name) ? errors[p.name] : undefined}
          />
        ))}
        {workflow.accepts_extra ? (
          <p className="field-hint" data-testid="accepts-extra">
            This workflow also takes inputs it does not declare (<code>**kwargs</code>): they are passed to it unchanged.
          </p>
        ) : null}
        {params.length ? (
          <div className="form-actions">
            <button type="submit" className="btn">
              Check inputs
            </button>
            <span className="muted small">Running workflows arrives with executions.</span>
          </div>
        ) : null}
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
