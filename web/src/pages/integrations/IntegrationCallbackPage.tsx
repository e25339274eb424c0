import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useIntegration } from '../../api/integrations';
import { PageHeader } from '../../components/lists';
import { Loading } from '../../components/Loading';

// Used when the server sends an error code without a message.
const MESSAGES: Record<string, string> = {
  'integrations.invalid_state': 'The connection attempt is invalid, expired or was already used. Start connecting again.',
  'integrations.connect_failed': 'The provider did not let the integration connect.',
};

/**
 * IntegrationCallbackPage is where the server sends the browser after the provider's consent
 * page: ?integration=<id>&status=completed when the integration connected, or
 * ?error=<code>&message=<text>[&integration=<id>] when it did not. The query is only shown, as
 * text: the server already stored the outcome.
 */
export function IntegrationCallbackPage() {
  const [params] = useSearchParams();
  const id = params.get('integration');
  const status = params.get('status');
  const code = params.get('error');
  const message = params.get('message');
  const qc = useQueryClient();
  // The name, for the message; the outcome does not depend on it.
  const integration = useIntegration(id);
  const name = integration.data?.name;

  // The list cached before leaving for the provider still says "waiting".
  useEffect(() => {
    void qc.invalidateQueries({ queryKey: ['integrations', 'list'] });
  }, [qc]);

  let body;
  if (code) {
    body = (
      <div className="alert" role="alert" data-testid="callback-error">
        <p>
          <strong>{name ? `Connecting ${name} failed.` : 'Connecting the integration failed.'}</strong> {message || MESSAGES[code] || 'The server reported an error.'}
        </p>
        <small className="request-id">Error code {code}</small>
      </div>
    );
  } else if (status === 'completed') {
    body =
      id && integration.isPending ? (
        <Loading />
      ) : (
        <p className="notice" role="status" data-testid="callback-success">
          {name ? `${name} is connected.` : 'The integration is connected.'} Workflows can use it now.
        </p>
      );
  } else if (id && status) {
    body = (
      <p className="notice" role="status">
        {name ?? 'The integration'} is now in status {status}.
      </p>
    );
  } else {
    body = <p className="muted">Nothing to show: this page is where the provider sends you back after connecting an integration.</p>;
  }

  return (
    <>
      <title>Connecting an integration · Bifrost</title>
      <PageHeader title="Connecting an integration" />
      <section className="card stack">
        {body}
        <p>
          <Link to="/integrations">Back to Integrations</Link>
        </p>
      </section>
    </>
  );
}
