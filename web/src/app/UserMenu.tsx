import { useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useSignOut } from './auth';

/** UserMenu shows who is signed in, with the way to their account and out. */
export function UserMenu({ email }: { email: string }) {
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const ref = useRef<HTMLDivElement>(null);
  const logout = useSignOut();

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const signOut = () => logout.mutate(false);

  return (
    <div className="user-menu" ref={ref}>
      <button
        type="button"
        className="user-menu-button"
        aria-expanded={open}
        aria-controls={menuId}
        onClick={() => setOpen((o) => !o)}
        data-testid="user-menu"
      >
        <span className="user-menu-email">{email}</span>
        <span aria-hidden="true">▾</span>
      </button>
      {open ? (
        <ul id={menuId} className="user-menu-list">
          <li className="user-menu-who muted">Signed in as {email}</li>
          <li>
            <Link to="/account" onClick={() => setOpen(false)}>
              Account
            </Link>
          </li>
          <li>
            <button type="button" onClick={signOut} disabled={logout.isPending}>
              {logout.isPending ? 'Logging out…' : 'Log out'}
            </button>
          </li>
          {logout.isError ? (
            <li className="user-menu-error" role="alert">
              Cannot reach the server: you are still signed in.
            </li>
          ) : null}
        </ul>
      ) : null}
    </div>
  );
}
