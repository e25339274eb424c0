import type { ResultType } from '../../api/types';
import { JsonTree } from './JsonTree';

// A plain look for HTML results (tables, mostly); the workflow's own styles come after and win.
const HTML_BASE_STYLE =
  '<style>body{margin:0.75rem;font:14px/1.45 system-ui,sans-serif;color:#1b2430}' +
  'table{border-collapse:collapse}th,td{border:1px solid #e2e6ec;padding:0.3rem 0.6rem;text-align:left}th{background:#f8f9fb}</style>';

/** ExecutionResult shows what a workflow returned, as its result type says: JSON, HTML or text. */
export function ExecutionResult({ result, type }: { result: unknown; type: ResultType | null | undefined }) {
  if (result === null || result === undefined) {
    return (
      <p className="muted" data-testid="execution-result">
        The workflow returned nothing.
      </p>
    );
  }
  if (type === 'html' && typeof result === 'string') {
    return (
      <div data-testid="execution-result" data-result-type="html">
        {/* The workflow's HTML is not this page's: sandbox="" gives it an opaque origin and runs
            none of its scripts, forms or plugins, so it can neither read the session nor act in it. */}
        <iframe className="result-html" title="HTML result" sandbox="" srcDoc={HTML_BASE_STYLE + result} />
        <details className="result-source">
          <summary>HTML source</summary>
          <pre className="code-block">{result}</pre>
        </details>
      </div>
    );
  }
  if (type === 'text' && typeof result === 'string') {
    return (
      <pre className="code-block result-text" data-testid="execution-result" data-result-type="text">
        {result}
      </pre>
    );
  }
  return (
    <div data-testid="execution-result" data-result-type="json">
      <JsonTree value={result} label="Result" />
      <details className="result-source">
        <summary>JSON</summary>
        <pre className="code-block">{JSON.stringify(result, null, 2)}</pre>
      </details>
    </div>
  );
}
