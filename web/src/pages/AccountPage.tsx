import { useState } from 'react';
import { useChangePassword } from '../api/auth';
import { fieldError } from '../api/client';
import { useAuth, useSignOut } from '../app/auth';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { TextField } from '../components/Field';
import { formText } from '../components/form';

/** AccountPage shows the signed-in user, changes their password and signs out every device. */
export function AccountPage() {
  const { user } = useAuth();
  if (!user) return null;
  return (
    <>
      <title>Account · Bifrost</title>
      <header className="page-header">
        <h1>Your account</h1>
        <p className="subtitle">{user.email}</p>
      </header>
      <div className="stack">
        <section className="card" aria-labelledby="profile-title">
          <h2 id="profile-title">Profile</h2>
          <dl className="facts">
            <div>
              <dt>Name</dt>
              <dd>{user.name || '—'}</dd>
            </div>
            <div>
              <dt>Email</dt>
              <dd>
                {user.email} {user.is_verified ? null : <span className="pill pill-warn">not confirmed</span>}
              </dd>
            </div>
            <div>
              <dt>Organization</dt>
              <dd>{user.is_superuser ? 'Platform admin' : (user.organization?.name ?? '—')}</dd>
            </div>
          </dl>
        </section>
        <ChangePassword />
        <SignOutEverywhere />
      </div>
    </>
  );
}

function ChangePassword() {
  const change = useChangePassword();
  const [formKey, setFormKey] = useState(0);
  const err = change.error;
  return (
    <section className="card" aria-labelledby="password-title">
      <h2 id="password-title">Change password</h2>
      <form
        key={formKey}
        noValidate
        className="form-narrow"
        onSubmit={(e) => {
          e.preventDefault();
          const v = formText(e);
          change.mutate({ current_password: v.current_password, new_password: v.new_password }, { onSuccess: () => setFormKey((k) => k + 1) });
        }}
      >
        <TextField
          label="Current password"
          name="current_password"
          type="password"
          autoComplete="current-password"
          error={fieldError(err, 'current_password')}
        />
        <TextField
          label="New password"
          name="new_password"
          type="password"
          autoComplete="new-password"
          hint="At least 10 characters. Your other devices will be signed out."
          error={fieldError(err, 'new_password')}
          required
        />
        <ErrorAlert error={err} shownFields={['current_password', 'new_password']} />
        {change.isSuccess ? (
          <p className="notice" role="status">
            Your password has been changed.
          </p>
        ) : null}
        <button type="submit" className="btn btn-primary" disabled={change.isPending}>
          {change.isPending ? 'Saving…' : 'Change password'}
        </button>
      </form>
    </section>
  );
}

function SignOutEverywhere() {
  const [confirming, setConfirming] = useState(false);
  const signOut = useSignOut();
  return (
    <section className="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      <p className="muted">Signed in on a shared or lost device? End every session of your account, this one included.</p>
      <button type="button" className="btn btn-danger" onClick={() => setConfirming(true)}>
        Log out everywhere
      </button>
      {confirming ? (
        <ConfirmDialog
          title="Log out everywhere?"
          confirmLabel="Log out everywhere"
          onCancel={() => setConfirming(false)}
          onConfirm={() => signOut.mutate(true)}
          pending={signOut.isPending}
          error={signOut.error}
        >
          <p>Every device signed in to your account, this one included, will have to sign in again.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
