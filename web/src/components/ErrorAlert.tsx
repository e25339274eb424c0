import { ApiError, NetworkError } from '../api/client';

interface ErrorAlertProps {
  error: unknown;
  /** Fields the form shows next to their inputs; other field errors are listed here. */
  shownFields?: readonly string[];
  /** Problem codes the form already shows next to a field: no alert for them. */
  shownCodes?: readonly string[];
  /** Replaces the server's detail for some problem codes. */
  messages?: Readonly<Record<string, string>>;
}

/** ErrorAlert explains a failed request: the server's detail, stray field errors and the request id. */
export function ErrorAlert({ error, shownFields = [], shownCodes = [], messages = {} }: ErrorAlertProps) {
  if (!error) return null;
  if (error instanceof ApiError && shownCodes.includes(error.code)) return null;
  if (error instanceof ApiError) {
    const stray = Object.entries(error.fields).filter(([f]) => !shownFields.includes(f));
    return (
      <div className="alert" role="alert">
        <p>{messages[error.code] ?? error.detail}</p>
        {stray.length ? (
          <ul className="alert-list">
            {stray.map(([f, m]) => (
              <li key={f}>
                <code>{f}</code> {m}
              </li>
            ))}
          </ul>
        ) : null}
        {error.requestId ? <small className="request-id">Request id {error.requestId}</small> : null}
      </div>
    );
  }
  const text = error instanceof NetworkError ? 'Cannot reach the Bifrost server. Check your connection and try again.' : String(error instanceof Error ? error.message : error);
  return (
    <div className="alert" role="alert">
      <p>{text}</p>
    </div>
  );
}
