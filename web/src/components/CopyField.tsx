import { useId, useRef, useState } from 'react';

/**
 * CopyField shows a value to paste elsewhere (a redirect URI to register at a provider) in a
 * read-only input with a Copy button. Without the clipboard API (plain HTTP on another host)
 * the button selects the text so that Ctrl+C copies it.
 */
export function CopyField({ label, value, hint }: { label: string; value: string; hint?: string }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<'idle' | 'copied' | 'select'>('idle');

  const copy = async () => {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(value);
      setState('copied');
    } catch {
      input.current?.select();
      setState('select');
    }
  };

  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-field">
        <input id={id} ref={input} type="text" readOnly value={value} onFocus={(e) => e.target.select()} aria-describedby={hint ? `${id}-hint` : undefined} />
        <button type="button" className="btn btn-small" onClick={() => void copy()}>
          {state === 'copied' ? 'Copied' : 'Copy'}
        </button>
      </div>
      {hint ? (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      ) : null}
      {state === 'select' ? (
        <p className="field-hint" role="status">
          Selected: press Ctrl+C (⌘C) to copy.
        </p>
      ) : null}
    </div>
  );
}
