import { Link } from 'react-router';

/** ForbiddenPage answers a signed-in user who opens a page their permissions do not cover. */
export function ForbiddenPage() {
  return (
    <section className="card" aria-labelledby="forbidden-title" data-testid="forbidden">
      <title>Not allowed · Bifrost</title>
      <h1 id="forbidden-title">Not allowed</h1>
      <p className="muted">Your account does not have access to this page. Ask an administrator if you need it.</p>
      <p>
        <Link to="/">Back to the home page</Link>
      </p>
    </section>
  );
}
