import { isRouteErrorResponse, Link, useRouteError } from 'react-router';

/** RouteError replaces the page when rendering throws, so one bug never blanks the whole UI. */
export function RouteError() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : 'The page failed to render.';
  return (
    <div className="app">
      <main className="app-main">
        <section className="card" role="alert">
          <h1>Something went wrong</h1>
          <p className="muted">{message}</p>
          <p>
            <Link to="/">Back to the home page</Link>
          </p>
        </section>
      </main>
    </div>
  );
}
