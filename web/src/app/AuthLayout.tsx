import { Link, Outlet } from 'react-router';

/** AuthLayout frames the signed-out pages (sign in, setup, emailed links): one centred card. */
export function AuthLayout() {
  return (
    <div className="auth-shell">
      <main className="auth-main">
        <Link to="/status" className="auth-brand" aria-label="Bifrost status">
          <img src="/favicon.svg" alt="" width={36} height={36} />
          <span>Bifrost</span>
        </Link>
        <Outlet />
      </main>
    </div>
  );
}
