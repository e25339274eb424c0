package integrations

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/bifrost-automation/bifrost/platform/app"
	"github.com/bifrost-automation/bifrost/platform/db"
	"github.com/bifrost-automation/bifrost/platform/errs"
	"github.com/bifrost-automation/bifrost/platform/httpx"
	"github.com/bifrost-automation/bifrost/platform/scheduler"
)

// Credentials are what a workflow gets from oauth.get() and
// integrations.get(): the connection's settings and a token with at least
// a minute to live.
type Credentials struct {
	ConnectionName   string     `json:"connection_name"`
	IntegrationID    uuid.UUID  `json:"integration_id"`
	OrganizationID   *uuid.UUID `json:"organization_id"`
	Flow             string     `json:"flow"`
	ClientID         string     `json:"client_id"`
	ClientSecret     string     `json:"client_secret"`
	AuthorizationURL string     `json:"authorization_url"`
	TokenURL         string     `json:"token_url"`
	Scopes           []string   `json:"scopes"`
	AccessToken      string     `json:"access_token"`
	RefreshToken     string     `json:"refresh_token"`
	TokenType        string     `json:"token_type"`
	ExpiresAt        *time.Time `json:"expires_at"`
}

var errNoIntegration = errs.NotFound("integrations.not_found", "No integration has this name here.")

// byName finds an integration by name for org: the organization's own,
// else the global one.
func (m *Module) byName(ctx context.Context, org *uuid.UUID, name string) (*provider, error) {
	p := new(provider)
	q := m.db.NewSelect().Model(p).Where("provider_name = ?", name)
	if org == nil {
		q = q.Where("organization_id IS NULL")
	} else {
		q = q.Where("(organization_id = ? OR organization_id IS NULL)", *org).OrderExpr("organization_id NULLS LAST")
	}
	if err := q.Limit(1).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, errNoIntegration
		}
		return nil, fmt.Errorf("integrations: by name: %w", err)
	}
	return p, nil
}

// Credentials returns fresh credentials of the named integration for the
// caller's organization (its own integration, else the global one),
// refreshing the token first when it is about to expire. Workflows call it
// with their execution's identity: it needs the caller to be signed in;
// every read is audited with the execution that asked.
func (m *Module) Credentials(ctx context.Context, name string) (*Credentials, error) {
	if httpx.PrincipalFrom(ctx) == nil {
		return nil, errs.Unauthenticated("auth.unauthenticated", "No user is acting.")
	}
	org := httpx.ScopeFrom(ctx).OrganizationID
	p, err := m.byName(ctx, org, name)
	if err != nil {
		return nil, err
	}
	t, err := m.fresh(ctx, p)
	if err != nil {
		return nil, err
	}
	secret, err := m.clientSecret(ctx, p)
	if err != nil {
		return nil, err
	}
	m.record(ctx, app.AuditEvent{OrganizationID: org, Action: "integrations.credentials_read", ResourceType: "integration", ResourceID: p.ID.String(),
		Details: map[string]any{"name": p.Name}})
	return &Credentials{ConnectionName: p.Name, IntegrationID: p.ID, OrganizationID: p.OrganizationID, Flow: p.Flow, ClientID: p.ClientID,
		ClientSecret: secret, AuthorizationURL: p.AuthorizationURL, TokenURL: p.TokenURL, Scopes: t.Scopes, AccessToken: t.AccessToken,
		RefreshToken: t.RefreshToken, TokenType: t.TokenType, ExpiresAt: t.ExpiresAt}, nil
}

// RefreshByName gets a new token for the named integration of the
// caller's organization (else the global one) now and returns the fresh
// credentials: the workflow SDK's oauth.refresh_token().
func (m *Module) RefreshByName(ctx context.Context, name string) (*Credentials, error) {
	if httpx.PrincipalFrom(ctx) == nil {
		return nil, errs.Unauthenticated("auth.unauthenticated", "No user is acting.")
	}
	p, err := m.byName(ctx, httpx.ScopeFrom(ctx).OrganizationID, name)
	if err != nil {
		return nil, err
	}
	if _, err := m.refresh(ctx, p.ID, farFuture); err != nil {
		return nil, err
	}
	return m.Credentials(ctx, name)
}

// fresh returns the integration's token, refreshed first when it has less
// than readSkew to live.
func (m *Module) fresh(ctx context.Context, p *provider) (*tokens, error) {
	t, found, err := m.getToken(ctx, m.db, p.ID)
	if err != nil {
		return nil, err
	}
	until := m.now().Add(readSkew)
	if found && p.Status == StatusCompleted && (t.ExpiresAt == nil || t.ExpiresAt.After(until)) {
		cur, err := m.load(ctx, p, t)
		return &cur, err
	}
	if !found && p.Flow == FlowAuthorizationCode {
		return nil, errNotConnected
	}
	return m.refresh(ctx, p.ID, until)
}

// TestResult is what testing an integration found.
type TestResult struct {
	OK         bool       `json:"ok"`
	Message    string     `json:"message"`
	StatusCode int        `json:"status_code,omitempty" doc:"The test URL's HTTP status, when the integration has one."`
	ExpiresAt  *time.Time `json:"expires_at"`
}

// Test checks that the integration yields a working token: it gets fresh
// credentials and, when the integration has a test URL, calls it with the
// token.
func (m *Module) Test(ctx context.Context, id uuid.UUID) (*TestResult, error) {
	if err := m.require(ctx); err != nil {
		return nil, err
	}
	p, err := m.visible(ctx, id, false)
	if err != nil {
		return nil, err
	}
	t, err := m.fresh(ctx, p)
	if err != nil {
		if e, ok := errs.As(err); ok && e.Kind != errs.KindInternal {
			return &TestResult{OK: false, Message: e.Message}, nil
		}
		return nil, err
	}
	res := &TestResult{OK: true, Message: "A valid access token is available.", ExpiresAt: t.ExpiresAt}
	testURL, _ := p.Metadata["test_url"].(string)
	if testURL == "" {
		return res, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, testURL, nil)
	if err != nil {
		return &TestResult{OK: false, Message: "The test URL is not valid."}, nil
	}
	typ := t.TokenType
	if typ == "" || typ == "bearer" {
		typ = "Bearer"
	}
	req.Header.Set("Authorization", typ+" "+t.AccessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := m.client.Do(req)
	if err != nil {
		msg := "The test URL could not be reached."
		if errors.Is(err, errPrivateAddress) {
			msg = "The test URL was refused: " + errPrivateAddress.Error() + "."
		}
		return &TestResult{OK: false, Message: msg, ExpiresAt: t.ExpiresAt}, nil
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	res.StatusCode = resp.StatusCode
	if resp.StatusCode >= 300 {
		res.OK, res.Message = false, fmt.Sprintf("The test URL answered %s with the token.", resp.Status)
	} else {
		res.Message = fmt.Sprintf("The test URL answered %s with the token.", resp.Status)
	}
	return res, nil
}

// RegisterJobs implements app.JobModule: every minute, tokens that expire
// within the refresh margin are refreshed.
func (m *Module) RegisterJobs(s *scheduler.Scheduler) error {
	return s.Add(scheduler.Job{Name: "integrations.refresh_tokens", Cron: "* * * * *", Run: m.RefreshDue})
}

// RefreshDue refreshes every completed connection whose token expires
// within the margin. A failure marks that connection failed; the others go
// on.
func (m *Module) RefreshDue(ctx context.Context) error {
	until := m.now().Add(m.margin)
	ids, err := m.dueForRefresh(ctx, until)
	if err != nil {
		return err
	}
	failed := 0
	for _, id := range ids {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if _, err := m.refresh(ctx, id, until); err != nil {
			failed++
		}
	}
	if len(ids) > 0 {
		m.log.Info("integrations: refreshed expiring tokens", "due", len(ids), "failed", failed)
	}
	return nil
}
