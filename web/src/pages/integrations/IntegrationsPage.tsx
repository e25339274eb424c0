import { useState } from 'react';
import {
  useAuthorizeIntegration,
  useDeleteIntegration,
  useIntegrations,
  useRefreshIntegration,
  useTestIntegration,
} from '../../api/integrations';
import type { Integration, IntegrationTestResult } from '../../api/types';
import { useScope } from '../../app/scope';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CopyField } from '../../components/CopyField';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/lists';
import { EmptyState, QueryStatus } from '../../components/Loading';
import { IntegrationDialog } from './IntegrationDialog';
import { formatExpiry } from './IntegrationStatusPill';
import { IntegrationTable, type IntegrationAction } from './IntegrationTable';
import { browser } from './leave';

type Open = { kind: 'create' } | { kind: 'edit' | 'delete'; integration: Integration } | null;

/** Outcome is what the last row action came to, shown above the list. */
type Outcome =
  | { kind: 'test'; name: string; result: IntegrationTestResult }
  | { kind: 'refreshed'; integration: Integration }
  | { kind: 'created'; integration: Integration }
  | null;

/**
 * IntegrationsPage lists the OAuth integrations workflows use, with their connection status, and
 * connects, tests, refreshes, edits and deletes them.
 */
export function IntegrationsPage() {
  const scope = useScope();
  const list = useIntegrations();
  const authorize = useAuthorizeIntegration();
  const refresh = useRefreshIntegration();
  const test = useTestIntegration();
  const [open, setOpen] = useState<Open>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState<{ id: string; action: IntegrationAction } | null>(null);
  const items = list.data?.items ?? [];
  // Every integration shares the server's callback address.
  const redirectUri = items[0]?.redirect_uri;
  const actionError = authorize.error ?? refresh.error ?? test.error;

  const run = (action: IntegrationAction, i: Integration) => {
    const clear = () => setBusy(null);
    for (const m of [authorize, refresh, test]) m.reset();
    setOutcome(null);
    switch (action) {
      case 'edit':
      case 'delete':
        setOpen({ kind: action, integration: i });
        return;
      case 'connect':
        setBusy({ id: i.id, action });
        // The provider's consent page sends the browser back to the server, which lands on
        // /integrations/callback: this page is left for good unless the request fails.
        authorize.mutate(i.id, { onSuccess: (a) => browser.leaveTo(a.authorize_url), onError: clear });
        return;
      case 'refresh':
        setBusy({ id: i.id, action });
        refresh.mutate(i.id, { onSuccess: (r) => setOutcome({ kind: 'refreshed', integration: r }), onSettled: clear });
        return;
      case 'test':
        setBusy({ id: i.id, action });
        test.mutate(i.id, { onSuccess: (result) => setOutcome({ kind: 'test', name: i.name, result }), onSettled: clear });
        return;
    }
  };

  return (
    <>
      <title>Integrations · Bifrost</title>
      <PageHeader
        title="Integrations"
        subtitle={
          scope.isGlobal
            ? 'Global OAuth connections: every organization’s workflows can use them. Tokens are stored encrypted and kept fresh.'
            : `OAuth connections of ${scope.name}, and the global ones it can use. Tokens are stored encrypted and kept fresh.`
        }
        action={
          <button type="button" className="btn btn-primary" onClick={() => setOpen({ kind: 'create' })}>
            New integration
          </button>
        }
      />
      <OutcomeBanner outcome={outcome} />
      <ErrorAlert error={actionError} />
      <section className="card">
        <QueryStatus query={list} empty={items.length === 0}>
          <EmptyState title="No integrations yet.">Add a connection to Microsoft Graph, HaloPSA or another OAuth API with “New integration”.</EmptyState>
        </QueryStatus>
        {items.length ? <IntegrationTable items={items} busy={busy} onAction={run} /> : null}
      </section>
      {open?.kind === 'create' ? (
        <IntegrationDialog
          redirectUri={redirectUri}
          onClose={() => setOpen(null)}
          onSaved={(integration) => setOutcome({ kind: 'created', integration })}
        />
      ) : null}
      {open?.kind === 'edit' ? <IntegrationDialog integration={open.integration} redirectUri={open.integration.redirect_uri} onClose={() => setOpen(null)} /> : null}
      {open?.kind === 'delete' ? <DeleteIntegration integration={open.integration} onClose={() => setOpen(null)} /> : null}
    </>
  );
}

function OutcomeBanner({ outcome }: { outcome: Outcome }) {
  if (!outcome) return null;
  if (outcome.kind === 'test') {
    const r = outcome.result;
    return (
      <div className={r.ok ? 'notice' : 'alert'} role="status" data-testid="integration-test-result">
        <p>
          <strong>
            Test of {outcome.name} {r.ok ? 'passed' : 'failed'}:
          </strong>{' '}
          {r.message}
          {r.expires_at ? ` The token is valid until ${formatExpiry(r.expires_at)}.` : ''}
        </p>
      </div>
    );
  }
  if (outcome.kind === 'refreshed') {
    const i = outcome.integration;
    return (
      <p className="notice" role="status">
        {i.name} has a new token{i.expires_at ? `, valid until ${formatExpiry(i.expires_at)}` : ''}.
      </p>
    );
  }
  const i = outcome.integration;
  if (i.flow !== 'authorization_code') {
    return (
      <p className={i.status === 'failed' ? 'alert' : 'notice'} role="status">
        {i.status === 'failed' ? `${i.name} was added, but getting its first token failed: ${i.status_message}` : `${i.name} was added and is connected.`}
      </p>
    );
  }
  return (
    <div className="notice" role="status">
      <p>
        {i.name} was added. Register the redirect URI below at the provider, then click “Connect”.
      </p>
      <CopyField label="Redirect URI" value={i.redirect_uri} />
    </div>
  );
}

function DeleteIntegration({ integration, onClose }: { integration: Integration; onClose: () => void }) {
  const del = useDeleteIntegration();
  return (
    <ConfirmDialog
      title={`Delete ${integration.name}?`}
      confirmLabel="Delete integration"
      onCancel={onClose}
      onConfirm={() => del.mutate(integration.id, { onSuccess: onClose })}
      pending={del.isPending}
      error={del.error}
    >
      <p>Its tokens are deleted too: workflows using it fail until it is added and connected again.</p>
    </ConfirmDialog>
  );
}
