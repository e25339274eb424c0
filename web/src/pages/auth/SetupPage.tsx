import { Navigate, useNavigate } from 'react-router';
import { useSetup, useSetupStatus } from '../../api/auth';
import { fieldError } from '../../api/client';
import { useAuth } from '../../app/auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { TextField } from '../../components/Field';
import { formText } from '../../components/form';
import { Loading } from '../../components/Loading';

/** SetupPage creates the first platform admin on a new server; afterwards it sends people away. */
export function SetupPage() {
  const status = useSetupStatus();
  const setup = useSetup();
  const { user, loading } = useAuth();
  const navigate = useNavigate();

  // Both answers decide where a finished setup sends people: home when signed in, else /login.
  if (status.isPending || loading) return <Loading />;
  if (status.data && !status.data.needed && !setup.isPending) return <Navigate replace to={user ? '/' : '/login'} />;
  const err = setup.error;

  return (
    <section className="card auth-card" aria-labelledby="setup-title">
      <title>Set up · Bifrost</title>
      <h1 id="setup-title">Welcome to Bifrost</h1>
      <p className="muted">Create the first platform admin. This account can create organizations and invite everyone else.</p>
      {status.isError ? <ErrorAlert error={status.error} /> : null}
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const v = formText(e);
          setup.mutate({ name: v.name, email: v.email, password: v.password }, { onSuccess: () => navigate('/', { replace: true }) });
        }}
      >
        <TextField label="Your name" name="name" autoComplete="name" error={fieldError(err, 'name')} />
        <TextField label="Email" name="email" type="email" autoComplete="username" error={fieldError(err, 'email')} required />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          hint="At least 10 characters."
          error={fieldError(err, 'password')}
          required
        />
        <ErrorAlert error={err} shownFields={['name', 'email', 'password']} />
        <button type="submit" className="btn btn-primary btn-block" disabled={setup.isPending}>
          {setup.isPending ? 'Creating…' : 'Create admin account'}
        </button>
      </form>
    </section>
  );
}
