package auth

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/markbates/goth"
	"github.com/markbates/goth/providers/azureadv2"
	"github.com/markbates/goth/providers/github"
	"github.com/markbates/goth/providers/google"
	"github.com/markbates/goth/providers/microsoftonline"

	"github.com/bifrost-automation/bifrost/platform/app"
	"github.com/bifrost-automation/bifrost/platform/config"
	"github.com/bifrost-automation/bifrost/platform/crypto"
	"github.com/bifrost-automation/bifrost/platform/errs"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// provider is one configured social login provider.
type provider struct {
	name   string
	label  string
	goth   goth.Provider
	client *http.Client
	// verifiedEmail returns the email the provider vouches for, or "" when
	// it vouches for none.
	verifiedEmail func(ctx context.Context, p *provider, u goth.User) (string, error)
}

// githubEmailURL is where GitHub lists a user's emails with their
// verification state. A variable so tests can point it elsewhere.
var githubEmailURL = "https://api.github.com/user/emails"

func newProviders(a config.AuthConfig, pub *url.URL, client *http.Client) map[string]*provider {
	callback := func(name string) string {
		u := *pub
		u.Path = "/api/auth/oauth/" + name + "/callback"
		u.RawQuery = ""
		return u.String()
	}
	out := map[string]*provider{}
	if a.Google.Enabled() {
		g := google.New(a.Google.ClientID, a.Google.ClientSecret, callback("google"), "openid", "email", "profile")
		g.HTTPClient = client
		out["google"] = &provider{name: "google", label: "Google", goth: g, client: client, verifiedEmail: googleEmail}
	}
	if a.Microsoft.Enabled() {
		var p goth.Provider
		tenant := a.Microsoft.Tenant
		if tenant == "" || tenant == "common" {
			ms := microsoftonline.New(a.Microsoft.ClientID, a.Microsoft.ClientSecret, callback("microsoft"), "openid", "email", "profile", "User.Read")
			ms.HTTPClient = client
			p = ms
		} else {
			az := azureadv2.New(a.Microsoft.ClientID, a.Microsoft.ClientSecret, callback("microsoft"), azureadv2.ProviderOptions{
				Tenant: azureadv2.TenantType(tenant),
				Scopes: []azureadv2.ScopeType{"openid", "email", "profile", "User.Read"},
			})
			az.HTTPClient = client
			p = az
		}
		p.SetName("microsoft")
		out["microsoft"] = &provider{name: "microsoft", label: "Microsoft", goth: p, client: client, verifiedEmail: microsoftEmail}
	}
	if a.GitHub.Enabled() {
		gh := github.New(a.GitHub.ClientID, a.GitHub.ClientSecret, callback("github"), "read:user", "user:email")
		gh.HTTPClient = client
		out["github"] = &provider{name: "github", label: "GitHub", goth: gh, client: client, verifiedEmail: githubEmail}
	}
	return out
}

// googleEmail trusts the email Google marks verified.
func googleEmail(_ context.Context, _ *provider, u goth.User) (string, error) {
	for _, k := range []string{"verified_email", "email_verified"} {
		if v, ok := u.RawData[k].(bool); ok && v {
			return u.Email, nil
		}
	}
	return "", nil
}

// microsoftEmail trusts the user principal name, whose domain the tenant
// has verified. The mail attribute is not used: in Entra ID it can be set to
// any address, which would let one tenant sign in as another's user.
func microsoftEmail(_ context.Context, _ *provider, u goth.User) (string, error) {
	upn, _ := u.RawData["userPrincipalName"].(string)
	if upn == "" || strings.Contains(upn, "#EXT#") || !strings.Contains(upn, "@") {
		return "", nil
	}
	return upn, nil
}

// githubEmail asks GitHub which of the user's emails are verified and
// takes the primary one, or the profile's email if it is verified.
func githubEmail(ctx context.Context, p *provider, u goth.User) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, githubEmailURL, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+u.AccessToken)
	req.Header.Set("Accept", "application/vnd.github+json")
	resp, err := p.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("github emails: status %d", resp.StatusCode)
	}
	var emails []struct {
		Email    string `json:"email"`
		Primary  bool   `json:"primary"`
		Verified bool   `json:"verified"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&emails); err != nil {
		return "", err
	}
	best := ""
	for _, e := range emails {
		if !e.Verified {
			continue
		}
		if e.Primary {
			return e.Email, nil
		}
		if strings.EqualFold(e.Email, u.Email) || best == "" {
			best = e.Email
		}
	}
	return best, nil
}

// oauthState is signed and bound to the browser: its nonce is also in a
// short-lived HttpOnly cookie, and the provider session it points to can be
// taken from Redis once.
type oauthState struct {
	Provider string `json:"p"`
	Nonce    string `json:"n"`
	Expires  int64  `json:"e"`
	Redirect string `json:"r"`
}

const (
	cookieOAuth = "bifrost_oauth"
	stateTTL    = 10 * time.Minute
)

func (m *Module) signState(s oauthState) string {
	signed, _ := crypto.SignJSON(m.stateKey, s) // a struct of strings always encodes
	return signed
}

var errBadState = errors.New("the sign-in state is invalid or expired")

func (m *Module) checkState(raw string) (oauthState, error) {
	var s oauthState
	if err := crypto.VerifyJSON(m.stateKey, raw, &s); err != nil || m.now().Unix() > s.Expires {
		return oauthState{}, errBadState
	}
	return s, nil
}

// safeRedirect keeps post-login redirects on this site.
func safeRedirect(r string) string {
	if r == "" || !strings.HasPrefix(r, "/") || strings.HasPrefix(r, "//") || strings.HasPrefix(r, "/\\") || strings.HasPrefix(r, "/api/") {
		return "/"
	}
	if u, err := url.Parse(r); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return r
}

// ProviderInfo describes a sign-in option.
type ProviderInfo struct {
	Name         string `json:"name" enum:"google,microsoft,github"`
	Label        string `json:"label"`
	AuthorizeURL string `json:"authorize_url" doc:"Send the browser here to sign in."`
}

// ProvidersResponse lists the sign-in options.
type ProvidersResponse struct {
	Items        []ProviderInfo `json:"items"`
	Registration string         `json:"registration" enum:"invite_only,email_domain" doc:"Whether people may register with an email in an organization's domain."`
	SetupNeeded  bool           `json:"setup_needed" doc:"true while no account exists."`
}

// ProviderRequest names a provider.
type ProviderRequest struct {
	Provider string `param:"provider"`
	Redirect string `query:"redirect" doc:"Where to go after signing in: a path on this site."`
}

func (m *Module) oauthRoutes(api *httpx.API) {
	tag := []string{"auth"}
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/auth/providers", OperationID: "listAuthProviders", Tags: tag, Public: true,
		Summary: "List the sign-in options"},
		func(c *echo.Context, _ *httpx.Empty) (*ProvidersResponse, error) {
			out := &ProvidersResponse{Items: []ProviderInfo{}, Registration: m.cfg.Registration}
			for _, name := range []string{"google", "microsoft", "github"} {
				if p, ok := m.providers[name]; ok {
					out.Items = append(out.Items, ProviderInfo{Name: p.name, Label: p.label, AuthorizeURL: "/api/auth/oauth/" + p.name + "/authorize"})
				}
			}
			needed, err := m.SetupNeeded(c.Request().Context())
			out.SetupNeeded = needed
			return out, err
		})
	api.Add(httpx.Route{Method: http.MethodGet, Path: "/api/auth/oauth/:provider/authorize", OperationID: "oauthAuthorize", Tags: tag, Public: true,
		Summary: "Start signing in with a provider", Description: "Redirects the browser to the provider.",
		Input: ProviderRequest{}, Status: http.StatusFound, ContentType: "text/html", Errors: []int{http.StatusNotFound},
		Handler: m.authorize})
	api.Add(httpx.Route{Method: http.MethodGet, Path: "/api/auth/oauth/:provider/callback", OperationID: "oauthCallback", Tags: tag, Public: true,
		Summary:     "Where the provider sends the browser back",
		Description: "Checks the state, signs the user in and redirects to the web UI; on failure redirects to /login?error=<code>.",
		Input:       ProviderRequest{}, Status: http.StatusFound, ContentType: "text/html",
		Handler: m.callback})
}

func (m *Module) authorize(c *echo.Context) error {
	name := c.Param("provider")
	p, ok := m.providers[name]
	if !ok {
		return errs.NotFound("auth.provider_not_found", "This sign-in provider is not configured.")
	}
	ctx := c.Request().Context()
	st := oauthState{Provider: name, Nonce: randomID(), Expires: m.now().Add(stateTTL).Unix(), Redirect: safeRedirect(c.QueryParam("redirect"))}
	state := m.signState(st)
	sess, err := p.goth.BeginAuth(state)
	if err != nil {
		return errs.Internal(fmt.Errorf("auth: begin %s login: %w", name, err))
	}
	authURL, err := sess.GetAuthURL()
	if err != nil {
		return errs.Internal(fmt.Errorf("auth: %s auth url: %w", name, err))
	}
	if err := m.cache.Set(ctx, "auth:oauth:"+st.Nonce, sess.Marshal(), stateTTL); err != nil {
		return fmt.Errorf("auth: store oauth session: %w", err)
	}
	c.SetCookie(&http.Cookie{Name: cookieOAuth, Value: st.Nonce, Path: "/api/auth/oauth", MaxAge: int(stateTTL.Seconds()),
		HttpOnly: true, Secure: m.secure, SameSite: http.SameSiteLaxMode})
	return c.Redirect(http.StatusFound, authURL)
}

// callback finishes a provider sign-in. Every failure redirects to the
// login page with a code the page explains; details go to the log.
func (m *Module) callback(c *echo.Context) error {
	ctx := c.Request().Context()
	name := c.Param("provider")
	fail := func(code string, err error) error {
		m.log.Warn("auth: social login failed", "provider", name, "code", code, "error", err)
		m.record(ctx, app.AuditEvent{Action: "auth.login_failed", Details: map[string]any{"method": name, "reason": code}})
		c.SetCookie(&http.Cookie{Name: cookieOAuth, Value: "", Path: "/api/auth/oauth", MaxAge: -1, HttpOnly: true, Secure: m.secure, SameSite: http.SameSiteLaxMode})
		return c.Redirect(http.StatusFound, "/login?error="+url.QueryEscape(code))
	}
	p, ok := m.providers[name]
	if !ok {
		return errs.NotFound("auth.provider_not_found", "This sign-in provider is not configured.")
	}
	q := c.Request().URL.Query()
	if e := q.Get("error"); e != "" {
		return fail("provider_denied", errors.New(e+": "+q.Get("error_description")))
	}
	st, err := m.checkState(q.Get("state"))
	if err != nil || st.Provider != name {
		return fail("invalid_state", err)
	}
	ck, err := c.Request().Cookie(cookieOAuth)
	if err != nil || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(st.Nonce)) != 1 {
		return fail("invalid_state", errors.New("the state does not belong to this browser"))
	}
	raw, found, err := m.cache.GetDel(ctx, "auth:oauth:"+st.Nonce)
	if err != nil {
		return fail("unavailable", err)
	}
	if !found {
		return fail("invalid_state", errors.New("the state was already used or expired"))
	}
	sess, err := p.goth.UnmarshalSession(raw)
	if err != nil {
		return fail("invalid_state", err)
	}
	if _, err := sess.Authorize(p.goth, q); err != nil {
		return fail("exchange_failed", err)
	}
	gu, err := p.goth.FetchUser(sess)
	if err != nil {
		return fail("profile_failed", err)
	}
	if gu.UserID == "" {
		return fail("profile_failed", errors.New("the provider returned no user id"))
	}
	email, err := p.verifiedEmail(ctx, p, gu)
	if err != nil {
		return fail("profile_failed", err)
	}
	u, err := m.socialUser(ctx, p.name, gu, normalizeEmail(email))
	if err != nil {
		code := "sign_in_failed"
		if e, ok := errs.As(err); ok {
			code = strings.TrimPrefix(e.Code, "auth.")
		}
		return fail(code, err)
	}
	s, err := m.openSession(ctx, u)
	if err != nil {
		return fail("sign_in_failed", err)
	}
	m.record(ctx, app.AuditEvent{UserID: &u.ID, OrganizationID: u.OrganizationID, ActorEmail: u.Email, Action: "auth.login", Details: map[string]any{"method": name}})
	m.setSessionCookies(c, s)
	c.SetCookie(&http.Cookie{Name: cookieOAuth, Value: "", Path: "/api/auth/oauth", MaxAge: -1, HttpOnly: true, Secure: m.secure, SameSite: http.SameSiteLaxMode})
	return c.Redirect(http.StatusFound, st.Redirect)
}

var errNoAccount = errs.Forbidden("auth.no_account", "No account uses this email; ask an administrator for an invitation.")

// socialUser finds or links the account of a provider identity: by an
// identity linked before, else by the provider's verified email, else (when
// registration by domain is on) a new account in the matching organization.
func (m *Module) socialUser(ctx context.Context, providerName string, gu goth.User, email string) (*user, error) {
	now := m.now()
	acct, found, err := m.store.oauthAccount(ctx, providerName, gu.UserID)
	if err != nil {
		return nil, err
	}
	var u *user
	switch {
	case found:
		if u, err = m.store.userByID(ctx, m.store.db, acct.UserID); err != nil {
			return nil, err
		}
	case email == "":
		return nil, errs.Forbidden("auth.email_unverified", "The provider did not confirm an email address for this account.")
	default:
		u, err = m.store.userByEmail(ctx, m.store.db, email)
		if errs.IsNotFound(err) {
			if u, err = m.registerSocial(ctx, email, gu.Name); err != nil {
				return nil, err
			}
		} else if err != nil {
			return nil, err
		}
	}
	if err := m.canSignIn(ctx, u); err != nil {
		return nil, err
	}
	if !u.IsVerified && email != "" && strings.EqualFold(email, u.Email) {
		// The provider vouched for the address: an invited user who signs in
		// with it has proved the email, like following the invitation.
		u.IsVerified = true
		if err := m.store.updateUser(ctx, m.store.db, u, "is_verified"); err != nil {
			return nil, err
		}
	}
	if !u.IsVerified {
		return nil, errEmailUnverified
	}
	if err := m.store.linkOAuth(ctx, m.store.db, &oauthAccount{UserID: u.ID, Provider: providerName, ProviderUserID: gu.UserID, Email: email, LastLoginAt: &now}); err != nil {
		return nil, err
	}
	if !found {
		m.record(ctx, app.AuditEvent{UserID: &u.ID, OrganizationID: u.OrganizationID, ActorEmail: u.Email, Action: "auth.provider_linked", Details: map[string]any{"provider": providerName}})
	}
	return u, nil
}

// registerSocial follows the registration rule for an unknown email.
func (m *Module) registerSocial(ctx context.Context, email, name string) (*user, error) {
	if m.cfg.Registration != "email_domain" {
		return nil, errNoAccount
	}
	org, ok, err := m.orgs.OrganizationByEmailDomain(ctx, email[strings.LastIndex(email, "@")+1:])
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNoAccount
	}
	u := &user{Email: email, DisplayName: strings.TrimSpace(name), IsActive: true, IsVerified: true, OrganizationID: &org.ID}
	if err := m.store.insertUser(ctx, m.store.db, u); err != nil {
		return nil, err
	}
	m.record(ctx, app.AuditEvent{UserID: &u.ID, OrganizationID: u.OrganizationID, ActorEmail: email, Action: "auth.registered", ResourceType: "user", ResourceID: u.ID.String()})
	return u, nil
}
