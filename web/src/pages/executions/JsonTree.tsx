import { plural } from '../workflows/describe';

// Levels open at first; deeper ones, and long lists, start folded.
const OPEN_DEPTH = 2;
const FOLD_OVER = 50;

/** JsonTree shows a JSON value as a tree whose objects and lists fold. */
export function JsonTree({ value, label }: { value: unknown; label: string }) {
  if (!isContainer(value)) {
    return (
      <div className="json-tree" aria-label={label}>
        <Scalar value={value} />
      </div>
    );
  }
  return (
    <ul className="json-tree" aria-label={label}>
      <Node value={value} depth={0} />
    </ul>
  );
}

type Container = Record<string, unknown> | unknown[];

function isContainer(v: unknown): v is Container {
  return typeof v === 'object' && v !== null;
}

function Node({ name, value, depth }: { name?: string; value: unknown; depth: number }) {
  const key = name === undefined ? null : <span className="json-key">{name}</span>;
  if (!isContainer(value)) {
    return (
      <li className="json-leaf">
        {key}
        <Scalar value={value} />
      </li>
    );
  }
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  const size = Array.isArray(value) ? `[${plural(entries.length, 'item')}]` : `{${plural(entries.length, 'key')}}`;
  if (!entries.length) {
    return (
      <li className="json-leaf">
        {key}
        <span className="json-size">{Array.isArray(value) ? '[]' : '{}'}</span>
      </li>
    );
  }
  return (
    <li>
      <details open={depth < OPEN_DEPTH && entries.length <= FOLD_OVER}>
        <summary>
          {key}
          <span className="json-size">{size}</span>
        </summary>
        <ul>
          {entries.map(([k, v]) => (
            <Node key={k} name={k} value={v} depth={depth + 1} />
          ))}
        </ul>
      </details>
    </li>
  );
}

function Scalar({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="json-null">null</span>;
  switch (typeof value) {
    case 'string':
      return <span className="json-string">{JSON.stringify(value)}</span>;
    case 'number':
      return <span className="json-number">{String(value)}</span>;
    case 'boolean':
      return <span className="json-boolean">{String(value)}</span>;
    default:
      return <span>{JSON.stringify(value)}</span>;
  }
}
