import { useState } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { useLogin, useProviders, useResendVerification } from '../../api/auth';
import { ApiError, fieldError } from '../../api/client';
import type { Provider } from '../../api/types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { TextField } from '../../components/Field';
import { formText } from '../../components/form';
import { safeRedirect, useAuth } from '../../app/auth';
import { LOGIN_NOTICES, socialLoginError } from './loginMessages';

/** LoginPage signs in with a password or a social provider, then goes back to ?redirect=. */
export function LoginPage() {
  const [params] = useSearchParams();
  const redirect = safeRedirect(params.get('redirect'));
  const { user } = useAuth();
  const providers = useProviders();
  const login = useLogin();
  const navigate = useNavigate();
  const [email, setEmail] = useState(params.get('email') ?? '');

  if (providers.data?.setup_needed) return <Navigate replace to="/setup" />;
  if (user && login.isIdle) return <AlreadySignedIn email={user.email} redirect={redirect} />;

  const socialError = socialLoginError(params.get('error'));
  const notice = LOGIN_NOTICES[params.get('notice') ?? ''];
  const err = login.error;
  const unverified = err instanceof ApiError && err.code === 'auth.email_unverified';

  return (
    <section className="card auth-card" aria-labelledby="login-title">
      <title>Sign in · Bifrost</title>
      <h1 id="login-title">Sign in</h1>
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      {socialError ? (
        <div className="alert" role="alert" data-testid="social-error">
          <p>{socialError}</p>
        </div>
      ) : null}
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const v = formText(e);
          login.mutate({ email: v.email, password: v.password }, { onSuccess: () => navigate(redirect, { replace: true }) });
        }}
      >
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={fieldError(err, 'email')}
          required
        />
        <TextField label="Password" name="password" type="password" autoComplete="current-password" error={fieldError(err, 'password')} required />
        <ErrorAlert error={err} shownFields={['email', 'password']} />
        {unverified ? <ResendVerification email={email} /> : null}
        <button type="submit" className="btn btn-primary btn-block" disabled={login.isPending}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="auth-links">
        <Link to={email ? `/forgot-password?email=${encodeURIComponent(email)}` : '/forgot-password'}>Forgot your password?</Link>
        {providers.data?.registration === 'email_domain' ? <Link to="/register">Create an account</Link> : null}
      </p>
      <ProviderButtons providers={providers.data?.items ?? []} redirect={redirect} />
    </section>
  );
}

function ProviderButtons({ providers, redirect }: { providers: Provider[]; redirect: string }) {
  if (!providers.length) return null;
  return (
    <div className="providers" aria-label="Other ways to sign in" role="group">
      <p className="divider">
        <span>or</span>
      </p>
      {providers.map((p) => (
        // A full page navigation: the provider's consent page is another site.
        <a key={p.name} className={`btn btn-block btn-provider provider-${p.name}`} href={providerHref(p.authorize_url, redirect)}>
          Continue with {p.label}
        </a>
      ))}
    </div>
  );
}

/** providerHref adds where to come back to after a social sign-in. */
export function providerHref(authorizeURL: string, redirect: string): string {
  return `${authorizeURL}${authorizeURL.includes('?') ? '&' : '?'}redirect=${encodeURIComponent(redirect)}`;
}

function ResendVerification({ email }: { email: string }) {
  const resend = useResendVerification();
  if (resend.isSuccess) return <p className="notice" role="status">{resend.data.message}</p>;
  return (
    <p>
      <button type="button" className="btn btn-link" onClick={() => resend.mutate(email)} disabled={resend.isPending || !email}>
        Send the confirmation link again
      </button>
      {resend.isError ? <ErrorAlert error={resend.error} /> : null}
    </p>
  );
}

function AlreadySignedIn({ email, redirect }: { email: string; redirect: string }) {
  return (
    <section className="card auth-card">
      <title>Sign in · Bifrost</title>
      <h1>You are signed in</h1>
      <p>
        Signed in as <strong>{email}</strong>.
      </p>
      <p>
        <Link to={redirect} className="btn btn-primary">
          Continue
        </Link>
      </p>
    </section>
  );
}
