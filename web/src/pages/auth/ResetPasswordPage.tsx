import { Link, useNavigate, useSearchParams } from 'react-router';
import { useResetPassword } from '../../api/auth';
import { fieldError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { TextField } from '../../components/Field';
import { formText } from '../../components/form';

/** ResetPasswordPage sets a new password with the token of an emailed link. */
export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const reset = useResetPassword();
  const navigate = useNavigate();
  const err = reset.error;

  return (
    <section className="card auth-card" aria-labelledby="reset-title">
      <title>Choose a new password · Bifrost</title>
      <h1 id="reset-title">Choose a new password</h1>
      {!token ? (
        <div className="alert" role="alert">
          <p>This link has no token. Open the link from the email again, or ask for a new one.</p>
        </div>
      ) : (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            reset.mutate(
              { token, password: formText(e).password },
              { onSuccess: () => navigate('/login?notice=password_reset', { replace: true }) },
            );
          }}
        >
          <TextField
            label="New password"
            name="password"
            type="password"
            autoComplete="new-password"
            hint="At least 10 characters. Every signed-in device will be signed out."
            error={fieldError(err, 'password')}
            required
          />
          <ErrorAlert error={err} shownFields={['password']} />
          <button type="submit" className="btn btn-primary btn-block" disabled={reset.isPending}>
            {reset.isPending ? 'Saving…' : 'Set the password'}
          </button>
        </form>
      )}
      <p className="auth-links">
        <Link to="/forgot-password">Ask for a new link</Link>
        <Link to="/login">Back to sign in</Link>
      </p>
    </section>
  );
}
