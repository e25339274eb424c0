import { Link } from 'react-router';
import { useOrganizationNames } from '../api/organizations';
import { useAuth, useSelectedOrganization } from '../app/auth';
import { StatusCard } from '../components/StatusCard';

/** HomePage greets the signed-in user, says where they work, and shows the system status. */
export function HomePage() {
  const { user, isAdmin, can } = useAuth();
  const selected = useSelectedOrganization();
  const orgNames = useOrganizationNames(isAdmin);
  if (!user) return null;
  const scope = selected ? `${orgNames.get(selected) ?? 'One organization'} (chosen in the header)` : 'All organizations';
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
            <dt>{isAdmin ? 'Acting on' : 'Organization'}</dt>
            <dd>{isAdmin ? scope : (user.organization?.name ?? '—')}</dd>
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
