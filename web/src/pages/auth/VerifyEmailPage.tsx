import { useEffect, useRef } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useResendVerification, useVerifyEmail } from '../../api/auth';
import { fieldError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { TextField } from '../../components/Field';
import { formText } from '../../components/form';
import { Loading } from '../../components/Loading';

/** VerifyEmailPage confirms an email address with the token of an emailed link. */
export function VerifyEmailPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const verify = useVerifyEmail();
  const sent = useRef('');

  // The link works once: confirm it once, even when effects run twice in development.
  useEffect(() => {
    if (token && sent.current !== token) {
      sent.current = token;
      verify.mutate(token);
    }
  }, [token, verify]);

  let body;
  if (!token) {
    body = <ResendForm intro="This link has no token. Ask for a new one:" />;
  } else if (verify.isSuccess) {
    body = (
      <>
        <p className="notice" role="status">
          Your email is confirmed.
        </p>
        <p>
          <Link to="/login?notice=email_verified" className="btn btn-primary">
            Sign in
          </Link>
        </p>
      </>
    );
  } else if (verify.isError) {
    body = (
      <>
        <ErrorAlert error={verify.error} />
        <ResendForm intro="Ask for a new link:" />
      </>
    );
  } else {
    body = <Loading label="Confirming your email…" />;
  }

  return (
    <section className="card auth-card" aria-labelledby="verify-title">
      <title>Confirm email · Bifrost</title>
      <h1 id="verify-title">Confirm your email</h1>
      {body}
    </section>
  );
}

function ResendForm({ intro }: { intro: string }) {
  const resend = useResendVerification();
  if (resend.isSuccess) {
    return (
      <p className="notice" role="status">
        {resend.data.message}
      </p>
    );
  }
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        resend.mutate(formText(e).email);
      }}
    >
      <p className="muted">{intro}</p>
      <TextField label="Email" name="email" type="email" autoComplete="username" error={fieldError(resend.error, 'email')} required />
      <ErrorAlert error={resend.error} shownFields={['email']} />
      <button type="submit" className="btn btn-primary" disabled={resend.isPending}>
        Send a new link
      </button>
    </form>
  );
}
