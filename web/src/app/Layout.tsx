import { Link, NavLink, Outlet } from 'react-router';

/** Layout is the frame every page renders in: the top navigation bar and the main area. */
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

function NavBar() {
  return (
    <header className="navbar">
      <nav className="navbar-inner" aria-label="Main">
        <Link to="/" className="navbar-brand" aria-label="Bifrost home">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <span>Bifrost</span>
        </Link>
        <ul className="navbar-links">
          <li>
            <NavLink to="/" end>
              Status
            </NavLink>
          </li>
          <li>
            {/* Served by the Go server, not a front-end route: a full page load. */}
            <a href="/api/docs">API reference</a>
          </li>
        </ul>
      </nav>
    </header>
  );
}
