package auth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/modules/auth"
	"github.com/bifrost-automation/bifrost/modules/internal/apitest"
	"github.com/bifrost-automation/bifrost/platform/config"
)

// identity is a person at the fake identity provider.
type identity struct {
	id, email, name string
	verified        bool
	// upn is Microsoft's user principal name; mail is Microsoft's
	// free-form mail attribute.
	upn, mail string
}

// fakeIdP stands in for Google, Microsoft and GitHub: the tests' HTTP client
// sends it every request meant for their hosts.
type fakeIdP struct {
	srv   *httptest.Server
	mu    sync.Mutex
	codes map[string]identity
	seen  []string
}

var idpHosts = map[string]bool{
	"accounts.google.com": true, "oauth2.googleapis.com": true, "www.googleapis.com": true,
	"login.microsoftonline.com": true, "graph.microsoft.com": true,
	"github.com": true, "api.github.com": true,
}

func newFakeIdP(t *testing.T) *fakeIdP {
	f := &fakeIdP{codes: map[string]identity{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// code registers who signs in when the provider hands out this code.
func (f *fakeIdP) code(code string, id identity) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.codes[code] = id
}

func (f *fakeIdP) who(token string) (identity, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := f.codes[strings.TrimPrefix(token, "at-")]
	return id, ok
}

func (f *fakeIdP) serve(w http.ResponseWriter, r *http.Request) {
	host := r.Header.Get("X-Original-Host")
	f.mu.Lock()
	f.seen = append(f.seen, host+r.URL.Path)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if strings.HasSuffix(r.URL.Path, "/token") || strings.HasSuffix(r.URL.Path, "/access_token") {
		_ = r.ParseForm()
		code := r.PostForm.Get("code")
		if _, ok := f.who("at-" + code); !ok {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "at-" + code, "token_type": "Bearer", "expires_in": 3600, "scope": "openid email"})
		return
	}
	token := r.URL.Query().Get("access_token")
	if h := r.Header.Get("Authorization"); h != "" {
		token = strings.TrimPrefix(h, "Bearer ")
	}
	id, ok := f.who(token)
	if !ok {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	switch host + r.URL.Path {
	case "www.googleapis.com/oauth2/v2/userinfo":
		_ = json.NewEncoder(w).Encode(map[string]any{"id": id.id, "email": id.email, "verified_email": id.verified, "name": id.name})
	case "graph.microsoft.com/v1.0/me":
		_ = json.NewEncoder(w).Encode(map[string]any{"id": id.id, "displayName": id.name, "mail": id.mail, "userPrincipalName": id.upn})
	case "api.github.com/user":
		_ = json.NewEncoder(w).Encode(map[string]any{"id": 4242, "login": "octo", "name": id.name, "email": id.email})
	case "api.github.com/user/emails":
		_ = json.NewEncoder(w).Encode([]map[string]any{
			{"email": "octo@users.noreply.github.com", "primary": false, "verified": true},
			{"email": id.email, "primary": true, "verified": id.verified},
		})
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// RoundTrip sends requests for the providers' hosts to the fake.
func (f *fakeIdP) RoundTrip(r *http.Request) (*http.Response, error) {
	if idpHosts[r.URL.Hostname()] {
		r = r.Clone(r.Context())
		r.Header.Set("X-Original-Host", r.URL.Hostname())
		target, _ := url.Parse(f.srv.URL)
		r.URL.Scheme, r.URL.Host, r.Host = target.Scheme, target.Host, target.Host
	}
	return http.DefaultTransport.RoundTrip(r)
}

func withProviders(f *fakeIdP) option {
	return func(c *config.Config, d *auth.Deps) {
		c.Auth.Google = config.OAuthProviderConfig{ClientID: "google-client", ClientSecret: "google-secret"}
		c.Auth.Microsoft = config.OAuthProviderConfig{ClientID: "ms-client", ClientSecret: "ms-secret", Tenant: "common"}
		c.Auth.GitHub = config.OAuthProviderConfig{ClientID: "gh-client", ClientSecret: "gh-secret"}
		d.HTTPClient = &http.Client{Transport: f}
	}
}

// startLogin asks Bifrost to start a provider sign-in and returns where it
// sent the browser.
func startLogin(t *testing.T, c *apitest.Client, provider, redirect string) *url.URL {
	t.Helper()
	r := c.Do("GET", "/api/auth/oauth/"+provider+"/authorize?redirect="+url.QueryEscape(redirect), nil)
	require.Equal(t, http.StatusFound, r.Status, string(r.Body))
	loc, err := url.Parse(r.Header.Get("Location"))
	require.NoError(t, err)
	require.True(t, idpHosts[loc.Hostname()], "redirected to the provider, got %s", loc)
	require.NotEmpty(t, loc.Query().Get("state"))
	return loc
}

// finish is the provider sending the browser back with a code.
func finish(t *testing.T, c *apitest.Client, provider, code, state string) *url.URL {
	t.Helper()
	r := c.Do("GET", "/api/auth/oauth/"+provider+"/callback?code="+url.QueryEscape(code)+"&state="+url.QueryEscape(state), nil)
	require.Equal(t, http.StatusFound, r.Status, string(r.Body))
	loc, err := url.Parse(r.Header.Get("Location"))
	require.NoError(t, err)
	return loc
}

func TestSocialLoginLinksTheAccount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		provider string
		who      identity
		host     string
	}{
		{"google", identity{id: "g-1", email: "tech@contoso.com", verified: true, name: "Tess"}, "accounts.google.com"},
		{"microsoft", identity{id: "ms-1", upn: "tech@contoso.com", mail: "", name: "Tess"}, "login.microsoftonline.com"},
		{"github", identity{id: "gh-1", email: "tech@contoso.com", verified: true, name: "Tess"}, "github.com"},
	} {
		t.Run(tc.provider, func(t *testing.T) {
			t.Parallel()
			idp := newFakeIdP(t)
			a := newApp(t, withProviders(idp))
			admin := a.Setup()
			org := a.Org(admin, "Contoso", "contoso.com")
			r := admin.Do("POST", "/api/users", map[string]any{"email": "tech@contoso.com", "organization_id": org, "send_invitation": false})
			require.Equal(t, http.StatusCreated, r.Status, string(r.Body))

			var p auth.ProvidersResponse
			a.Client().Do("GET", "/api/auth/providers", nil).JSON(t, &p)
			require.Len(t, p.Items, 3)

			browser := a.Client()
			loc := startLogin(t, browser, tc.provider, "/users?page=2")
			require.Equal(t, tc.host, loc.Hostname())
			require.Equal(t, a.URL+"/api/auth/oauth/"+tc.provider+"/callback", loc.Query().Get("redirect_uri"))
			idp.code("code-"+tc.provider, tc.who)
			back := finish(t, browser, tc.provider, "code-"+tc.provider, loc.Query().Get("state"))
			require.Equal(t, "/users?page=2", back.String(), "back where the sign-in started")

			var me auth.MeResponse
			r = browser.Do("GET", "/api/auth/me", nil)
			require.Equal(t, http.StatusOK, r.Status, string(r.Body))
			r.JSON(t, &me)
			require.Equal(t, "tech@contoso.com", me.Email)
			require.Equal(t, "Contoso", me.Organization.Name)
			require.True(t, me.IsVerified, "the provider vouched for the email")
			var n int
			require.NoError(t, a.Env.DB.NewRaw("SELECT count(*) FROM oauth_accounts WHERE provider = ? AND provider_user_id <> ''", tc.provider).Scan(context.Background(), &n))
			require.Equal(t, 1, n, "the identity is linked")

			// The next sign-in finds the account by the linked identity.
			again := a.Client()
			loc = startLogin(t, again, tc.provider, "/")
			idp.code("code-2-"+tc.provider, tc.who)
			require.Equal(t, "/", finish(t, again, tc.provider, "code-2-"+tc.provider, loc.Query().Get("state")).String())
			require.Equal(t, http.StatusOK, again.Do("GET", "/api/auth/me", nil).Status)
		})
	}
}

func TestSocialLoginRejectsForgedOrReplayedState(t *testing.T) {
	t.Parallel()
	idp := newFakeIdP(t)
	a := newApp(t, withProviders(idp))
	admin := a.Setup()
	org := a.Org(admin, "Contoso", "")
	admin.Do("POST", "/api/users", map[string]any{"email": "tech@contoso.com", "organization_id": org, "send_invitation": false})
	who := identity{id: "g-1", email: "tech@contoso.com", verified: true}
	idp.code("good", who)

	browser := a.Client()
	loc := startLogin(t, browser, "google", "/")
	state := loc.Query().Get("state")

	forged := strings.Replace(state, state[:10], "AAAAAAAAAA", 1)
	require.Equal(t, "/login?error=invalid_state", finish(t, browser, "google", "good", forged).String(), "a forged state")

	attacker := a.Client()
	require.Equal(t, "/login?error=invalid_state", finish(t, attacker, "google", "good", state).String(), "a state from another browser")
	require.Equal(t, http.StatusUnauthorized, attacker.Do("GET", "/api/auth/me", nil).Status)

	require.Equal(t, "/login?error=invalid_state", finish(t, browser, "google", "good", state).String(),
		"the failed attempt above cleared this browser's state cookie")

	loc = startLogin(t, browser, "google", "/")
	state = loc.Query().Get("state")
	require.Equal(t, "/", finish(t, browser, "google", "good", state).String())
	startLogin(t, browser, "google", "/")
	require.Equal(t, "/login?error=invalid_state", finish(t, browser, "google", "good", state).String(), "a state works once")

	loc = startLogin(t, browser, "github", "/")
	require.Equal(t, "/login?error=invalid_state", finish(t, browser, "google", "good", loc.Query().Get("state")).String(), "a state is for one provider")
}

func TestSocialLoginTrustsOnlyVerifiedEmails(t *testing.T) {
	t.Parallel()
	idp := newFakeIdP(t)
	a := newApp(t, withProviders(idp))
	admin := a.Setup()
	org := a.Org(admin, "Contoso", "")
	admin.Do("POST", "/api/users", map[string]any{"email": "victim@contoso.com", "organization_id": org, "send_invitation": false})

	for _, tc := range []struct {
		name, provider string
		who            identity
		code           string
	}{
		{"google unverified", "google", identity{id: "g-9", email: "victim@contoso.com", verified: false}, "email_unverified"},
		// GitHub's only verified address here is the noreply one, which no account uses.
		{"github unverified", "github", identity{id: "gh-9", email: "victim@contoso.com", verified: false}, "no_account"},
		// Entra ID's mail attribute is free-form: it must not link accounts.
		{"microsoft mail spoof", "microsoft", identity{id: "ms-9", mail: "victim@contoso.com", upn: "attacker@evil.example"}, "no_account"},
		{"unknown email, invite only", "google", identity{id: "g-10", email: "stranger@contoso.com", verified: true}, "no_account"},
	} {
		browser := a.Client()
		loc := startLogin(t, browser, tc.provider, "/")
		code := "c-" + strings.ReplaceAll(tc.name, " ", "-")
		idp.code(code, tc.who)
		back := finish(t, browser, tc.provider, code, loc.Query().Get("state"))
		require.Equal(t, "/login?error="+tc.code, back.String(), tc.name)
		require.Equal(t, http.StatusUnauthorized, browser.Do("GET", "/api/auth/me", nil).Status, tc.name)
	}
}

func TestSocialLoginRegistersByDomainWhenEnabled(t *testing.T) {
	t.Parallel()
	idp := newFakeIdP(t)
	a := newApp(t, withProviders(idp), func(c *config.Config, _ *auth.Deps) { c.Auth.Registration = "email_domain" })
	admin := a.Setup()
	a.Org(admin, "Contoso", "contoso.com")
	browser := a.Client()
	loc := startLogin(t, browser, "github", "/")
	idp.code("new", identity{id: "gh-5", email: "newbie@contoso.com", verified: true, name: "Newbie"})
	require.Equal(t, "/", finish(t, browser, "github", "new", loc.Query().Get("state")).String())
	var me auth.MeResponse
	browser.Do("GET", "/api/auth/me", nil).JSON(t, &me)
	require.Equal(t, "newbie@contoso.com", me.Email)
	require.Equal(t, "Contoso", me.Organization.Name)
}
