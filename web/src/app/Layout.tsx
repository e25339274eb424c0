import { Link, NavLink, Outlet } from 'react-router';
import { useAuth } from './auth';
import { OrgSwitcher } from './OrgSwitcher';
import { UserMenu } from './UserMenu';

/** Layout is the frame every signed-in and public page renders in: the navigation bar and the main area. */
export function Layout() {
  return (
    <div className="app">
      <NavBar />
      <main className="app-main">
        <Outlet />
      </main>
    </div>
  );
}

interface NavItem {
  to: string;
  label: string;
  show: boolean;
}

function NavBar() {
  const { user, isAdmin, can } = useAuth();
  const items: NavItem[] = [
    { to: '/', label: 'Home', show: !!user },
    { to: '/organizations', label: 'Organizations', show: isAdmin },
    { to: '/users', label: 'Users', show: can('users.manage') },
    { to: '/roles', label: 'Roles', show: can('users.manage') },
    { to: '/workflows', label: 'Workflows', show: can('workflows.run') },
    { to: '/executions', label: 'Executions', show: can('workflows.run') || can('executions.view_all') },
    { to: '/integrations', label: 'Integrations', show: can('integrations.manage') },
    { to: '/config', label: 'Config', show: can('config.manage') },
    { to: '/secrets', label: 'Secrets', show: can('secrets.manage') },
    { to: '/audit', label: 'Audit log', show: can('audit.view') },
    { to: '/status', label: 'Status', show: true },
  ];
  return (
    <header className="navbar">
      <nav className="navbar-inner" aria-label="Main">
        <Link to="/" className="navbar-brand" aria-label="Bifrost home">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <span>Bifrost</span>
        </Link>
        <ul className="navbar-links">
          {items
            .filter((i) => i.show)
            .map((i) => (
              <li key={i.to}>
                <NavLink to={i.to} end={i.to === '/'}>
                  {i.label}
                </NavLink>
              </li>
            ))}
          <li>
            {/* Served by the Go server, not a front-end route: a full page load. */}
            <a href="/api/docs">API reference</a>
          </li>
        </ul>
        <div className="navbar-end">
          {isAdmin ? <OrgSwitcher /> : null}
          {user ? (
            <UserMenu email={user.email} />
          ) : user === null ? (
            <Link to="/login" className="navbar-signin">
              Sign in
            </Link>
          ) : null}
        </div>
      </nav>
    </header>
  );
}
