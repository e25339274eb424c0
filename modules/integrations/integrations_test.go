package integrations_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/modules/integrations"
	"github.com/bifrost-automation/bifrost/modules/internal/apitest"
	"github.com/bifrost-automation/bifrost/platform/config"
	"github.com/bifrost-automation/bifrost/platform/testenv"
)

type fixture struct {
	app *apitest.App
	// clock is the integrations module's (sessions keep real time).
	clock    *apitest.Clock
	admin    *apitest.Client
	provider *testenv.OAuthServer
}

func newFixture(t *testing.T, opts ...func(*apitest.Options)) *fixture {
	t.Helper()
	clock := &apitest.Clock{}
	o := apitest.Options{Integrations: func(d *integrations.Deps) { d.Now = clock.Now }}
	for _, f := range opts {
		f(&o)
	}
	f := &fixture{app: apitest.New(t, o), clock: clock, provider: testenv.NewOAuthServer(t)}
	f.admin = f.app.Setup()
	return f
}

func (f *fixture) body(flow string, extra map[string]any) map[string]any {
	b := map[string]any{
		"name": "Graph", "flow": flow, "client_id": f.provider.ClientID, "client_secret": f.provider.ClientSecret,
		"authorization_url": f.provider.AuthorizeURL(), "token_url": f.provider.TokenURL(),
		"scopes": []string{"offline_access", "User.Read"},
	}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

func (f *fixture) create(c *apitest.Client, flow string, extra map[string]any) integrations.Integration {
	f.app.T.Helper()
	var out integrations.Integration
	c.Must(http.StatusCreated, "POST", "/api/integrations", f.body(flow, extra), &out)
	return out
}

// connect runs the authorization-code flow as a browser would: authorize,
// consent at the provider, callback.
func (f *fixture) connect(c *apitest.Client, id uuid.UUID) apitest.Response {
	f.app.T.Helper()
	var auth integrations.Authorization
	c.Must(http.StatusOK, "POST", "/api/integrations/"+id.String()+"/authorize", nil, &auth)
	back := f.provider.Approve(f.app.T, auth.AuthorizeURL)
	return c.Do("GET", back, nil, "Accept", "text/html")
}

func (f *fixture) get(c *apitest.Client, id uuid.UUID) integrations.Integration {
	f.app.T.Helper()
	var out integrations.Integration
	c.Must(http.StatusOK, "GET", "/api/integrations/"+id.String(), nil, &out)
	return out
}

// as is the context the workflow runtime gives a module call.
func (f *fixture) as(org *uuid.UUID) context.Context { return f.app.AsAdmin(org) }

func TestAuthorizationCodeFlowEndToEnd(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	in := f.create(f.admin, integrations.FlowAuthorizationCode, nil)
	require.Equal(t, integrations.StatusNotConnected, in.Status)
	require.True(t, in.HasClientSecret)
	require.True(t, in.UsePKCE, "PKCE is on by default")
	require.Equal(t, f.app.URL+"/api/integrations/callback", in.RedirectURI)

	var auth integrations.Authorization
	f.admin.Must(http.StatusOK, "POST", "/api/integrations/"+in.ID.String()+"/authorize", nil, &auth)
	u, err := url.Parse(auth.AuthorizeURL)
	require.NoError(t, err)
	q := u.Query()
	require.Equal(t, f.provider.ClientID, q.Get("client_id"))
	require.Equal(t, in.RedirectURI, q.Get("redirect_uri"))
	require.Equal(t, "S256", q.Get("code_challenge_method"))
	require.NotEmpty(t, q.Get("code_challenge"))
	require.Equal(t, "offline_access User.Read", q.Get("scope"))
	require.Equal(t, integrations.StatusWaitingCallback, f.get(f.admin, in.ID).Status)

	// The provider sends the browser back; it lands on the web UI.
	back := f.provider.Approve(t, auth.AuthorizeURL)
	r := f.admin.Do("GET", back, nil, "Accept", "text/html")
	require.Equal(t, http.StatusSeeOther, r.Status, string(r.Body))
	require.Equal(t, "/integrations/callback?integration="+in.ID.String()+"&status=completed", r.Header.Get("Location"))
	require.Equal(t, 1, f.provider.Count("authorization_code"))

	got := f.get(f.admin, in.ID)
	require.Equal(t, integrations.StatusCompleted, got.Status)
	require.NotNil(t, got.ExpiresAt)
	require.WithinDuration(t, time.Now().Add(time.Hour), *got.ExpiresAt, time.Minute)

	creds, err := f.app.Integrations.Credentials(f.as(nil), "Graph")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(creds.AccessToken, "access-"), creds.AccessToken)
	require.True(t, strings.HasPrefix(creds.RefreshToken, "refresh-"))
	require.Equal(t, f.provider.ClientSecret, creds.ClientSecret)
	require.Equal(t, []string{"offline_access", "User.Read"}, creds.Scopes)

	// The state worked once: the same callback again is rejected, for a
	// browser (with the reason on the landing page) and for an API client.
	r = f.admin.Do("GET", back, nil, "Accept", "text/html")
	require.Equal(t, http.StatusSeeOther, r.Status)
	require.Contains(t, r.Header.Get("Location"), "error=integrations.invalid_state")
	r = f.admin.Do("GET", back, nil)
	require.Equal(t, http.StatusBadRequest, r.Status)
	require.Equal(t, "integrations.invalid_state", r.Problem(t).Code)
	require.Equal(t, 1, f.provider.Count("authorization_code"), "a replayed state never reaches the provider")
	require.Equal(t, integrations.StatusCompleted, f.get(f.admin, in.ID).Status, "a rejected callback changes nothing")

	// Tokens and the client secret never leave through the API.
	for _, path := range []string{"/api/integrations", "/api/integrations/" + in.ID.String()} {
		body := string(f.admin.Must(http.StatusOK, "GET", path, nil, nil).Body)
		for _, secret := range []string{creds.AccessToken, creds.RefreshToken, f.provider.ClientSecret} {
			require.NotContains(t, body, secret, path)
		}
	}
	audit := f.app.AuditDetails(t)
	logs := f.app.Logs.String()
	for _, secret := range []string{creds.AccessToken, creds.RefreshToken, f.provider.ClientSecret} {
		require.NotContains(t, audit, secret)
		require.NotContains(t, logs, secret)
	}
	require.Contains(t, audit, "integrations.connected")
	require.Contains(t, audit, "integrations.credentials_read")
}

func TestForgedStatesAreRejected(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	in := f.create(f.admin, integrations.FlowAuthorizationCode, nil)
	var auth integrations.Authorization
	f.admin.Must(http.StatusOK, "POST", "/api/integrations/"+in.ID.String()+"/authorize", nil, &auth)
	back, err := url.Parse(f.provider.Approve(t, auth.AuthorizeURL))
	require.NoError(t, err)
	state := back.Query().Get("state")
	payload, sig, ok := strings.Cut(state, ".")
	require.True(t, ok)

	for name, forged := range map[string]string{
		"no state":         "",
		"unsigned":         payload,
		"bad signature":    payload + "." + strings.Repeat("A", len(sig)),
		"another payload":  "eyJuIjoiZm9yZ2VkIiwiZSI6OTk5OTk5OTk5OX0." + sig,
		"garbage":          "not-a-state",
		"signature on top": state + "x",
	} {
		q := back.Query()
		q.Set("state", forged)
		r := f.admin.Do("GET", "/api/integrations/callback?"+q.Encode(), nil)
		require.Equal(t, http.StatusBadRequest, r.Status, name)
		require.Equal(t, "integrations.invalid_state", r.Problem(t).Code, name)
	}
	require.Zero(t, f.provider.Count("authorization_code"), "no forged state reached the provider")
	require.Equal(t, integrations.StatusWaitingCallback, f.get(f.admin, in.ID).Status)

	// The genuine state still works once.
	r := f.admin.Do("GET", back.String(), nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Equal(t, integrations.StatusCompleted, f.get(f.admin, in.ID).Status)
}

func TestStatesExpire(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	in := f.create(f.admin, integrations.FlowAuthorizationCode, nil)
	var auth integrations.Authorization
	f.admin.Must(http.StatusOK, "POST", "/api/integrations/"+in.ID.String()+"/authorize", nil, &auth)
	back := f.provider.Approve(t, auth.AuthorizeURL)
	f.clock.Advance(11 * time.Minute)
	r := f.admin.Do("GET", back, nil)
	require.Equal(t, http.StatusBadRequest, r.Status)
	require.Equal(t, "integrations.invalid_state", r.Problem(t).Code)
}

func TestProviderRefusalMarksTheIntegrationFailed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	in := f.create(f.admin, integrations.FlowAuthorizationCode, nil)
	var auth integrations.Authorization
	f.admin.Must(http.StatusOK, "POST", "/api/integrations/"+in.ID.String()+"/authorize", nil, &auth)
	u, _ := url.Parse(auth.AuthorizeURL)
	back := f.provider.Decide(u.Query(), false)
	r := f.admin.Do("GET", back, nil, "Accept", "text/html")
	require.Equal(t, http.StatusSeeOther, r.Status)
	loc, _ := url.Parse(r.Header.Get("Location"))
	require.Equal(t, "/integrations/callback", loc.Path)
	require.Equal(t, "integrations.connect_failed", loc.Query().Get("error"))
	require.Contains(t, loc.Query().Get("message"), "access_denied")
	require.Equal(t, in.ID.String(), loc.Query().Get("integration"))
	got := f.get(f.admin, in.ID)
	require.Equal(t, integrations.StatusFailed, got.Status)
	require.Contains(t, got.StatusMessage, "The user declined.")

	// A wrong client secret fails the exchange with the provider's reason.
	f.admin.Must(http.StatusOK, "PUT", "/api/integrations/"+in.ID.String(), map[string]any{"client_secret": "wrong"}, nil)
	r = f.connect(f.admin, in.ID)
	require.Contains(t, r.Header.Get("Location"), "error=integrations.connect_failed")
	got = f.get(f.admin, in.ID)
	require.Equal(t, integrations.StatusFailed, got.Status)
	require.Contains(t, got.StatusMessage, "invalid_client")
}

func TestProactiveRefreshBeforeExpiry(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	in := f.create(f.admin, integrations.FlowAuthorizationCode, nil)
	f.provider.SetExpiresIn(3 * time.Minute) // within the 5-minute margin
	f.connect(f.admin, in.ID)
	before, err := f.app.Integrations.Credentials(f.as(nil), "Graph")
	require.NoError(t, err)
	require.Zero(t, f.provider.Count("refresh_token"), "a token with three minutes left is good for a workflow")

	f.provider.SetExpiresIn(time.Hour)
	require.NoError(t, f.app.Integrations.RefreshDue(context.Background()))
	require.Equal(t, 1, f.provider.Count("refresh_token"))
	after, err := f.app.Integrations.Credentials(f.as(nil), "Graph")
	require.NoError(t, err)
	require.NotEqual(t, before.AccessToken, after.AccessToken)
	require.NotEqual(t, before.RefreshToken, after.RefreshToken, "the provider rotated the refresh token and it was kept")
	require.WithinDuration(t, time.Now().Add(time.Hour), *after.ExpiresAt, time.Minute)
	got := f.get(f.admin, in.ID)
	require.Equal(t, integrations.StatusCompleted, got.Status)
	require.NotNil(t, got.LastRefreshedAt)

	// Nothing is due any more.
	require.NoError(t, f.app.Integrations.RefreshDue(context.Background()))
	require.Equal(t, 1, f.provider.Count("refresh_token"))

	// An hour later it is due again, and refreshes with the rotated token.
	f.clock.Advance(58 * time.Minute)
	require.NoError(t, f.app.Integrations.RefreshDue(context.Background()))
	require.Equal(t, 2, f.provider.Count("refresh_token"))
	require.Equal(t, 2, f.provider.Count("refresh_token_requests"), "no request used a burned refresh token")
}

func TestConcurrentReadersOfAnExpiredTokenRefreshOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	in := f.create(f.admin, integrations.FlowAuthorizationCode, nil)
	f.provider.SetExpiresIn(30 * time.Second) // too short for a workflow: readers refresh it
	f.connect(f.admin, in.ID)
	// A second process: its own module on the same database and Redis.
	other, err := integrations.New(integrations.Deps{Config: f.app.Config, DB: f.app.Env.DB.DB, Cache: f.app.Env.Redis.Client,
		Logger: apitest.Quiet, Vault: f.app.Vault, Authorizer: f.app.Orgs, Now: f.clock.Now})
	require.NoError(t, err)

	f.provider.SetExpiresIn(time.Hour)
	f.provider.SetRefreshDelay(300 * time.Millisecond)
	var wg sync.WaitGroup
	tokens := make([]string, 10)
	errs := make([]error, 10)
	for i := range 10 {
		m := f.app.Integrations
		if i%2 == 1 {
			m = other
		}
		wg.Go(func() {
			c, err := m.Credentials(f.as(nil), "Graph")
			errs[i] = err
			if err == nil {
				tokens[i] = c.AccessToken
			}
		})
	}
	wg.Wait()
	for i := range 10 {
		require.NoError(t, errs[i], "reader %d", i)
		require.Equal(t, tokens[0], tokens[i], "every reader got the one new token")
	}
	require.Equal(t, 1, f.provider.Count("refresh_token_requests"), "exactly one refresh reached the provider")
	require.Equal(t, integrations.StatusCompleted, f.get(f.admin, in.ID).Status)
}

func TestClientCredentialsFlow(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	in := f.create(f.admin, integrations.FlowClientCredentials, map[string]any{"authorization_url": "", "test_url": f.provider.MeURL()})
	require.Equal(t, integrations.StatusCompleted, in.Status, in.StatusMessage)
	require.NotNil(t, in.ExpiresAt)
	require.Equal(t, 1, f.provider.Count("client_credentials"), "the token is fetched on creation")

	creds, err := f.app.Integrations.Credentials(f.as(nil), "Graph")
	require.NoError(t, err)
	require.NotEmpty(t, creds.AccessToken)
	require.Empty(t, creds.RefreshToken)
	require.Equal(t, 1, f.provider.Count("client_credentials"), "a fresh token is reused")

	var test integrations.TestResult
	f.admin.Must(http.StatusOK, "POST", "/api/integrations/"+in.ID.String()+"/test", nil, &test)
	require.True(t, test.OK, test.Message)
	require.Equal(t, http.StatusOK, test.StatusCode)

	// Expired, it is fetched again when read.
	f.clock.Advance(2 * time.Hour)
	again, err := f.app.Integrations.Credentials(f.as(nil), "Graph")
	require.NoError(t, err)
	require.NotEqual(t, creds.AccessToken, again.AccessToken)
	require.Equal(t, 2, f.provider.Count("client_credentials"))

	var refreshed integrations.Integration
	f.admin.Must(http.StatusOK, "POST", "/api/integrations/"+in.ID.String()+"/refresh", nil, &refreshed)
	require.Equal(t, 3, f.provider.Count("client_credentials"), "refresh now always asks the provider")

	// A wrong secret: created, but failed with the provider's reason.
	bad := f.create(f.admin, integrations.FlowClientCredentials, map[string]any{"name": "Bad", "client_secret": "nope"})
	require.Equal(t, integrations.StatusFailed, bad.Status)
	require.Contains(t, bad.StatusMessage, "invalid_client")
	f.admin.Must(http.StatusOK, "POST", "/api/integrations/"+bad.ID.String()+"/test", nil, &test)
	require.False(t, test.OK)
	require.Contains(t, test.Message, "invalid_client")
}

func TestRefreshTokenFlowAndRefreshFailures(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	rt := f.provider.IssueRefreshToken()
	in := f.create(f.admin, integrations.FlowRefreshToken, map[string]any{"refresh_token": rt, "authorization_url": ""})
	require.Equal(t, integrations.StatusCompleted, in.Status, in.StatusMessage)
	require.Equal(t, 1, f.provider.Count("refresh_token"))
	creds, err := f.app.Integrations.Credentials(f.as(nil), "Graph")
	require.NoError(t, err)
	require.NotEqual(t, rt, creds.RefreshToken, "the rotated refresh token replaced the pasted one")

	// The provider starts refusing: the integration is failed with the
	// reason, and readers get a clear error.
	f.provider.FailRefresh("invalid_grant")
	r := f.admin.Do("POST", "/api/integrations/"+in.ID.String()+"/refresh", nil)
	require.Equal(t, http.StatusBadGateway, r.Status, string(r.Body))
	p := r.Problem(t)
	require.Equal(t, "integrations.refresh_failed", p.Code)
	require.Contains(t, p.Detail, "invalid_grant")
	got := f.get(f.admin, in.ID)
	require.Equal(t, integrations.StatusFailed, got.Status)
	require.Contains(t, got.StatusMessage, "invalid_grant")
	require.NotContains(t, string(r.Body), creds.RefreshToken)

	// It recovers on the next successful refresh.
	f.provider.FailRefresh("")
	f.admin.Must(http.StatusOK, "POST", "/api/integrations/"+in.ID.String()+"/refresh", nil, &got)
	require.Equal(t, integrations.StatusCompleted, got.Status)
	require.Empty(t, got.StatusMessage)

	// The SDK's oauth.refresh_token() refreshes by name.
	before := f.provider.Count("refresh_token")
	again, err := f.app.Integrations.RefreshByName(f.as(nil), "Graph")
	require.NoError(t, err)
	require.Equal(t, before+1, f.provider.Count("refresh_token"))
	require.NotEqual(t, creds.AccessToken, again.AccessToken)
}

func TestOrganizationScopeAndGlobalFallback(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	orgA := f.app.Org(f.admin, "Alpha", "alpha.example")
	orgB := f.app.Org(f.admin, "Bravo", "bravo.example")
	global := f.create(f.admin, integrations.FlowClientCredentials, map[string]any{"name": "Halo"})
	own := f.create(f.admin.InOrg(orgA), integrations.FlowClientCredentials, map[string]any{"name": "Halo", "scopes": []string{"alpha"}})
	require.Equal(t, orgA, own.OrganizationID.String())

	manager, _ := f.app.Member(f.admin, "manager@alpha.example", orgA, f.app.Role(f.admin, orgA, "Integrators", "integrations.manage"))
	plain, _ := f.app.Member(f.admin, "tech@alpha.example", orgA)
	bob, _ := f.app.Member(f.admin, "bob@bravo.example", orgB, f.app.Role(f.admin, orgB, "Integrators", "integrations.manage"))

	var list struct {
		Items []integrations.Integration `json:"items"`
	}
	manager.Must(http.StatusOK, "GET", "/api/integrations", nil, &list)
	require.Len(t, list.Items, 1, "the organization's own shadows the global one")
	require.Equal(t, own.ID, list.Items[0].ID)
	bob.Must(http.StatusOK, "GET", "/api/integrations", nil, &list)
	require.Len(t, list.Items, 1)
	require.Equal(t, global.ID, list.Items[0].ID)
	require.True(t, list.Items[0].Inherited)

	// B cannot reach A's integration, nor change the global one.
	for _, call := range [][2]string{{"GET", ""}, {"PUT", ""}, {"DELETE", ""}, {"POST", "/authorize"}, {"POST", "/refresh"}, {"POST", "/test"}} {
		r := bob.Do(call[0], "/api/integrations/"+own.ID.String()+call[1], map[string]any{"name": "Hijacked"})
		require.Equal(t, http.StatusNotFound, r.Status, "%v: %s", call, r.Body)
	}
	r := bob.Do("PUT", "/api/integrations/"+global.ID.String(), map[string]any{"name": "Hijacked"})
	require.Equal(t, http.StatusNotFound, r.Status)
	r = bob.Do("DELETE", "/api/integrations/"+global.ID.String(), nil)
	require.Equal(t, http.StatusNotFound, r.Status)
	r = plain.Do("GET", "/api/integrations", nil)
	require.Equal(t, http.StatusForbidden, r.Status)

	// Workflows read their organization's own, else the global one.
	a, b := uuid.MustParse(orgA), uuid.MustParse(orgB)
	ca, err := f.app.Integrations.Credentials(f.as(&a), "Halo")
	require.NoError(t, err)
	require.Equal(t, own.ID, ca.IntegrationID)
	require.Equal(t, []string{"alpha"}, ca.Scopes)
	cb, err := f.app.Integrations.Credentials(f.as(&b), "Halo")
	require.NoError(t, err)
	require.Equal(t, global.ID, cb.IntegrationID)
	_, err = f.app.Integrations.Credentials(f.as(&b), "Nope")
	require.ErrorContains(t, err, "integrations.not_found")
}

func TestValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for name, tc := range map[string]struct {
		extra map[string]any
		field string
	}{
		"bad name":          {map[string]any{"name": "has space"}, "name"},
		"no token url":      {map[string]any{"token_url": ""}, "token_url"},
		"not a url":         {map[string]any{"token_url": "token"}, "token_url"},
		"ftp":               {map[string]any{"authorization_url": "ftp://example.com/a"}, "authorization_url"},
		"no authorize url":  {map[string]any{"authorization_url": ""}, "authorization_url"},
		"no refresh token":  {map[string]any{"flow": "refresh_token"}, "refresh_token"},
		"unknown flow":      {map[string]any{"flow": "implicit"}, "flow"},
		"bad test url":      {map[string]any{"test_url": "nope"}, "test_url"},
		"client id missing": {map[string]any{"client_id": ""}, "client_id"},
	} {
		r := f.admin.Do("POST", "/api/integrations", f.body(integrations.FlowAuthorizationCode, tc.extra))
		require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s: %s", name, r.Body)
		p := r.Problem(t)
		var fields []string
		for _, e := range p.Errors {
			fields = append(fields, e.Field)
		}
		require.Contains(t, fields, tc.field, name)
	}
	f.create(f.admin, integrations.FlowAuthorizationCode, nil)
	r := f.admin.Do("POST", "/api/integrations", f.body(integrations.FlowAuthorizationCode, nil))
	require.Equal(t, http.StatusConflict, r.Status)
	require.Equal(t, "integrations.name_taken", r.Problem(t).Code)

	// Only authorization_code integrations connect through a consent page.
	cc := f.create(f.admin, integrations.FlowClientCredentials, map[string]any{"name": "CC"})
	r = f.admin.Do("POST", "/api/integrations/"+cc.ID.String()+"/authorize", nil)
	require.Equal(t, http.StatusConflict, r.Status)
	require.Equal(t, "integrations.wrong_flow", r.Problem(t).Code)
}

func TestPlainHTTPProvidersNeedAllowHTTP(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *apitest.Options) {
		o.Config = func(c *config.Config) { c.Integrations.AllowHTTP = false }
	})
	r := f.admin.Do("POST", "/api/integrations", f.body(integrations.FlowAuthorizationCode, nil))
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, string(r.Body), "must be an https URL")
}

func TestInternalAddressesAreRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *apitest.Options) {
		o.Config = func(c *config.Config) { c.Integrations.AllowHTTP, c.Integrations.AllowPrivateNetworks = false, false }
	})
	for _, tokenURL := range []string{"https://127.0.0.1:9/token", "https://[::1]:9/token", "https://169.254.169.254/token", "https://localhost:9/token"} {
		in := f.create(f.admin, integrations.FlowClientCredentials, map[string]any{"name": "n" + strings.NewReplacer(":", "", ".", "", "/", "", "[", "", "]", "").Replace(tokenURL)[5:], "token_url": tokenURL, "authorization_url": ""})
		require.Equal(t, integrations.StatusFailed, in.Status, tokenURL)
		require.Contains(t, in.StatusMessage, "private network", tokenURL)
	}
}
