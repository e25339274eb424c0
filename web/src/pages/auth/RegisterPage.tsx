import { Link } from 'react-router';
import { useProviders, useRegister } from '../../api/auth';
import { fieldError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { TextField } from '../../components/Field';
import { formText } from '../../components/form';
import { Loading } from '../../components/Loading';

/** RegisterPage lets people with an email in an organization's domain join it, when the server allows it. */
export function RegisterPage() {
  const providers = useProviders();
  const register = useRegister();
  const err = register.error;

  let body;
  if (providers.isPending) {
    body = <Loading />;
  } else if (providers.data?.registration !== 'email_domain') {
    body = (
      <p className="muted" data-testid="registration-closed">
        Accounts on this server are by invitation only. Ask an administrator to invite you.
      </p>
    );
  } else if (register.isSuccess) {
    body = (
      <p className="notice" role="status">
        {register.data.message}
      </p>
    );
  } else {
    body = (
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const v = formText(e);
          register.mutate({ name: v.name, email: v.email, password: v.password });
        }}
      >
        <p className="muted">Use your work email: it places you in your organization.</p>
        <TextField label="Your name" name="name" autoComplete="name" error={fieldError(err, 'name')} />
        <TextField label="Work email" name="email" type="email" autoComplete="username" error={fieldError(err, 'email')} required />
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
        <button type="submit" className="btn btn-primary btn-block" disabled={register.isPending}>
          {register.isPending ? 'Creating…' : 'Create account'}
        </button>
      </form>
    );
  }

  return (
    <section className="card auth-card" aria-labelledby="register-title">
      <title>Create an account · Bifrost</title>
      <h1 id="register-title">Create an account</h1>
      {body}
      <p className="auth-links">
        <Link to="/login">Back to sign in</Link>
      </p>
    </section>
  );
}
