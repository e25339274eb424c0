import type { LoadError } from '../../api/types';
import { Pill } from '../../components/lists';
import { plural, sourceOf } from './describe';

/**
 * LoadErrors lists the workspace files that did not load, so a mistake in one never just makes a
 * workflow vanish. Tracebacks reach platform admins only (the server leaves them out for others).
 */
export function LoadErrors({ errors }: { errors: readonly LoadError[] }) {
  if (!errors.length) return null;
  const files = new Set(errors.map((e) => e.file)).size;
  return (
    <section className="alert load-errors" aria-labelledby="load-errors-title" data-testid="load-errors">
      <h2 id="load-errors-title">{plural(files, 'file')} did not load</h2>
      <p className="small">Their workflows are missing from the list until the errors are fixed; the other files loaded normally.</p>
      <ul>
        {errors.map((e, i) => (
          <li key={`${e.file}-${i}`} data-testid={`load-error-${e.file}`}>
            <code>{e.location && e.location !== e.file ? e.file : sourceOf(e)}</code> <Pill tone="bad">{e.type}</Pill> <span>{e.message}</span>
            {e.location && e.location !== e.file ? (
              <span className="small">
                {' '}
                (raised in <code>{sourceOf({ file: e.location, line: e.line })}</code>)
              </span>
            ) : null}
            {e.traceback ? (
              <details>
                <summary>Traceback</summary>
                <pre className="code-block">{e.traceback}</pre>
              </details>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
