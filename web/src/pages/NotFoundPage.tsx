import { Link, useLocation } from 'react-router';

/** NotFoundPage answers any front-end path that matches no route. */
export function NotFoundPage() {
  const { pathname } = useLocation();
  return (
    <section className="card" aria-labelledby="not-found-title" data-testid="not-found">
      <title>Page not found · Bifrost</title>
      <h1 id="not-found-title">Page not found</h1>
      <p className="muted">
        Nothing lives at <code>{pathname}</code>.
      </p>
      <p>
        <Link to="/">Back to the home page</Link>
      </p>
    </section>
  );
}
