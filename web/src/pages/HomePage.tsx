import { Link } from 'react-router';
import { useAuth } from '../app/auth';
import { StatusCard } from '../components/StatusCard';

/** HomePage greets the signed-in user, says where they work, and shows the system status. */
export function HomePage() {
  const { user, isAdmin, can } = useAuth();
  if (!user) return null;
  const name = user.name || user.email;
  return (
    <>
      <title>Home · Bifrost</title>
      <header className="page-header">
        <h1>Hello, {name}</h1>
        <p className="subtitle" data-testid="home-organization">
          {isAdmin ? 'Platform admin' : (user.organization?.name ?? 'No organization')}
        </p>
      </header>
      <section className="card home-summary" aria-label="Your access">
        <dl className="facts">
          <div>
            <dt>Signed in as</dt>
            <dd>{user.email}</dd>
          </div>
          <div>
            <dt>Organization</dt>
            <dd>{user.organization ? user.organization.name : isAdmin ? 'All organizations (platform admin)' : '—'}</dd>
          </div>
          {!isAdmin ? (
            <div>
              <dt>Roles</dt>
              <dd>{user.roles.length ? user.roles.map((r) => r.name).join(', ') : 'None yet'}</dd>
            </div>
          ) : null}
        </dl>
        <QuickLinks admin={isAdmin} users={can('users.manage')} audit={can('audit.view')} />
      </section>
      <StatusCard />
    </>
  );
}

function QuickLinks({ admin, users, audit }: { admin: boolean; users: boolean; audit: boolean }) {
  if (!admin && !users && !audit) return null;
  return (
    <p className="quick-links">
      {admin ? <Link to="/organizations">Manage organizations</Link> : null}
      {users ? <Link to="/users">Manage users</Link> : null}
      {users ? <Link to="/roles">Manage roles</Link> : null}
      {audit ? <Link to="/audit">Read the audit log</Link> : null}
    </p>
  );
}
