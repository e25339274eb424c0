import { Navigate, Outlet, useLocation } from 'react-router';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { ForbiddenPage } from '../pages/ForbiddenPage';
import { loginPath, useAuth } from './auth';

/** RequireAuth lets signed-in users through and sends everyone else to /login?redirect=<here>. */
export function RequireAuth() {
  const { user, loading, error, retry } = useAuth();
  const { pathname, search } = useLocation();
  if (loading) return <Loading />;
  if (user === undefined) {
    return (
      <section className="card">
        <h1>Cannot load your account</h1>
        <ErrorAlert error={error} />
        <p>
          <button type="button" className="btn" onClick={retry}>
            Try again
          </button>
        </p>
      </section>
    );
  }
  if (!user) return <Navigate replace to={loginPath(pathname + search)} />;
  return <Outlet />;
}

/** RequireAdmin lets platform admins through; others see that they may not. */
export function RequireAdmin() {
  const { isAdmin } = useAuth();
  return isAdmin ? <Outlet /> : <ForbiddenPage />;
}

/** RequirePermission lets users holding permission through. */
export function RequirePermission({ permission }: { permission: string }) {
  const { can } = useAuth();
  return can(permission) ? <Outlet /> : <ForbiddenPage />;
}
