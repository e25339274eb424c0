import type { ReactNode } from 'react';
import type { WorkflowParameter } from '../../api/types';
import { CheckboxField, SelectField, TextAreaField, TextField } from '../../components/Field';
import { controlOf, rulesOf, typeHint, type Draft } from './parameterForm';

interface ParameterInputProps {
  param: WorkflowParameter;
  draft: Draft;
  onChange: (draft: Draft) => void;
  /** Marks the input as visited, so its error shows. */
  onBlur: () => void;
  error?: string;
}

/** ParameterInput is the input that suits a parameter's type, with its label, help and bounds. */
export function ParameterInput({ param: p, draft, onChange, onBlur, error }: ParameterInputProps) {
  // The marker is drawn by CSS: the label's text stays the parameter's label, and the required
  // attribute tells assistive technology.
  const label = <span className={p.required ? 'label-required' : undefined}>{p.label || p.name}</span>;
  const hint = hintOf(p);
  const text = typeof draft === 'string' ? draft : '';
  const common = { name: p.name, label, hint, error, onBlur, required: p.required };
  const onText = (e: { target: { value: string } }) => onChange(e.target.value);

  switch (controlOf(p)) {
    case 'select':
      return (
        <SelectField {...common} value={text} onChange={onText}>
          <option value="">{p.required ? 'Choose…' : '(none)'}</option>
          {(p.options ?? []).map((o, i) => (
            <option key={i} value={String(i)}>
              {typeof o === 'string' ? o : JSON.stringify(o)}
            </option>
          ))}
        </SelectField>
      );
    case 'bool':
      return <CheckboxField name={p.name} label={label} hint={hint} error={error} onBlur={onBlur} checked={draft === true} onChange={(e) => onChange(e.target.checked)} />;
    case 'int':
    case 'float': {
      const { min, max } = rulesOf(p);
      return (
        <TextField
          {...common}
          type="number"
          step={controlOf(p) === 'int' ? 1 : 'any'}
          inputMode={controlOf(p) === 'int' ? 'numeric' : 'decimal'}
          min={min}
          max={max}
          value={text}
          onChange={onText}
        />
      );
    }
    case 'email':
      return <TextField {...common} type="email" autoComplete="off" spellCheck={false} value={text} onChange={onText} />;
    case 'json':
      return <TextAreaField {...common} rows={5} spellCheck={false} value={text} onChange={onText} />;
    case 'list':
    case 'string':
      return <TextField {...common} autoComplete="off" value={text} onChange={onText} />;
  }
}

// The author's help text, what the input takes, and where its options will come from.
function hintOf(p: WorkflowParameter): ReactNode {
  const parts: ReactNode[] = [];
  if (p.help_text) parts.push(p.help_text);
  const t = typeHint(p);
  if (t) parts.push(t);
  if (p.data_provider) {
    parts.push(
      <span key="provider" data-testid={`data-provider-note-${p.name}`}>
        Its choices come from the data provider <code>{p.data_provider}</code>; until the form loads them, type the value.
      </span>,
    );
  }
  if (!parts.length) return undefined;
  return parts.map((part, i) => (
    <span key={i}>
      {i ? ' ' : null}
      {part}
    </span>
  ));
}
