import { Link, useNavigate, useSearchParams } from 'react-router';
import { useAcceptInvitation, useInvitation } from '../../api/auth';
import { fieldError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { TextField } from '../../components/Field';
import { formText } from '../../components/form';
import { Loading } from '../../components/Loading';

/** AcceptInvitePage finishes an invited account: a name and a password, then signed in. */
export function AcceptInvitePage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const invitation = useInvitation(token);
  const accept = useAcceptInvitation();
  const navigate = useNavigate();
  const err = accept.error;

  let body;
  if (!token) {
    body = (
      <div className="alert" role="alert">
        <p>This link has no token. Open the link from the invitation email again.</p>
      </div>
    );
  } else if (invitation.isPending) {
    body = <Loading label="Checking the invitation…" />;
  } else if (invitation.isError) {
    body = (
      <>
        <ErrorAlert error={invitation.error} />
        <p className="muted">Ask the person who invited you to send the invitation again.</p>
      </>
    );
  } else {
    const { email, organization } = invitation.data;
    body = (
      <>
        <p data-testid="invitation-info">
          Join <strong>{organization || 'Bifrost'}</strong> as <strong>{email}</strong>.
        </p>
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            const v = formText(e);
            accept.mutate({ token, name: v.name, password: v.password }, { onSuccess: () => navigate('/', { replace: true }) });
          }}
        >
          {/* Lets password managers store the password under the right account. */}
          <input type="hidden" name="username" autoComplete="username" value={email} />
          <TextField label="Your name" name="name" autoComplete="name" error={fieldError(err, 'name')} />
          <TextField
            label="Password"
            name="password"
            type="password"
            autoComplete="new-password"
            hint="At least 10 characters."
            error={fieldError(err, 'password')}
            required
          />
          <ErrorAlert error={err} shownFields={['name', 'password']} />
          <button type="submit" className="btn btn-primary btn-block" disabled={accept.isPending}>
            {accept.isPending ? 'Joining…' : 'Accept the invitation'}
          </button>
        </form>
      </>
    );
  }

  return (
    <section className="card auth-card" aria-labelledby="invite-title">
      <title>Accept invitation · Bifrost</title>
      <h1 id="invite-title">Accept your invitation</h1>
      {body}
      <p className="auth-links">
        <Link to="/login">Already have a password? Sign in</Link>
      </p>
    </section>
  );
}
