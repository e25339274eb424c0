import { Link, useSearchParams } from 'react-router';
import { useForgotPassword } from '../../api/auth';
import { fieldError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { TextField } from '../../components/Field';
import { formText } from '../../components/form';

/** ForgotPasswordPage asks for a reset link by email. */
export function ForgotPasswordPage() {
  const [params] = useSearchParams();
  const forgot = useForgotPassword();
  const err = forgot.error;

  return (
    <section className="card auth-card" aria-labelledby="forgot-title">
      <title>Forgot password · Bifrost</title>
      <h1 id="forgot-title">Reset your password</h1>
      {forgot.isSuccess ? (
        <p className="notice" role="status">
          {forgot.data.message}
        </p>
      ) : (
        <>
          <p className="muted">Enter the email of your account and we will send you a link to choose a new password.</p>
          <form
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              forgot.mutate(formText(e).email);
            }}
          >
            <TextField
              label="Email"
              name="email"
              type="email"
              autoComplete="username"
              defaultValue={params.get('email') ?? ''}
              error={fieldError(err, 'email')}
              required
            />
            <ErrorAlert error={err} shownFields={['email']} />
            <button type="submit" className="btn btn-primary btn-block" disabled={forgot.isPending}>
              {forgot.isPending ? 'Sending…' : 'Send the link'}
            </button>
          </form>
        </>
      )}
      <p className="auth-links">
        <Link to="/login">Back to sign in</Link>
      </p>
    </section>
  );
}
