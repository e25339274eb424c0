package auth_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwt"
	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/modules/auth"
	"github.com/bifrost-automation/bifrost/platform/config"
)

func TestSetupHappensOnceAndSignsTheAdminIn(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.client()
	var st auth.SetupStatus
	c.do("GET", "/api/auth/setup", nil).json(t, &st)
	require.True(t, st.Needed)

	r := c.do("POST", "/api/auth/setup", map[string]string{"email": "not-an-email", "password": "short"})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Equal(t, "email", r.problem(t).Errors[0].Field)

	admin := a.setup()
	require.NotEmpty(t, admin.cookie(auth.CookieAccess), "the browser is signed in by cookie")
	var me auth.MeResponse
	admin.do("GET", "/api/auth/me", nil).json(t, &me)
	require.True(t, me.IsSuperuser)
	require.Equal(t, "admin@example.com", me.Email)
	require.Equal(t, "bearer", me.AuthMethod)

	r = a.client().do("POST", "/api/auth/setup", map[string]string{"email": "evil@example.com", "password": "another password"})
	require.Equal(t, http.StatusConflict, r.Status)
	require.Equal(t, "auth.setup_done", r.problem(t).Code)
	c.do("GET", "/api/auth/setup", nil).json(t, &st)
	require.False(t, st.Needed)
}

func TestLoginRefreshLogout(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.setup()
	c, tk := a.login("ADMIN@example.com ", adminPassword)
	require.Equal(t, int((15 * time.Minute).Seconds()), tk.ExpiresIn)
	require.True(t, strings.HasPrefix(tk.RefreshToken, "bfr_"))
	c.bearer = tk.AccessToken
	require.Equal(t, http.StatusOK, c.do("GET", "/api/auth/me", nil).Status)

	// An API client refreshes with the token in the body: it rotates.
	api := a.client()
	r := api.do("POST", "/api/auth/refresh", map[string]string{"refresh_token": tk.RefreshToken})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	var next tokens
	r.json(t, &next)
	require.NotEqual(t, tk.RefreshToken, next.RefreshToken)
	require.NotEqual(t, tk.AccessToken, next.AccessToken)
	api.bearer = next.AccessToken
	require.Equal(t, http.StatusOK, api.do("GET", "/api/auth/me", nil).Status)

	// Logout ends the session at once, for the access token too.
	r = api.do("POST", "/api/auth/logout", nil)
	require.Equal(t, http.StatusNoContent, r.Status)
	r = api.do("GET", "/api/auth/me", nil)
	require.Equal(t, http.StatusUnauthorized, r.Status)
	require.Equal(t, "auth.session_revoked", r.problem(t).Code)
	r = a.client().do("POST", "/api/auth/refresh", map[string]string{"refresh_token": next.RefreshToken})
	require.Equal(t, http.StatusUnauthorized, r.Status)
}

func TestReusingARotatedRefreshTokenRevokesTheSession(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.setup()
	_, tk := a.login("admin@example.com", adminPassword)
	other, _ := a.login("admin@example.com", adminPassword) // another device, another session

	r := a.client().do("POST", "/api/auth/refresh", map[string]string{"refresh_token": tk.RefreshToken})
	require.Equal(t, http.StatusOK, r.Status)
	var legit tokens
	r.json(t, &legit)

	// The stolen copy of the old token is presented: the whole family ends.
	r = a.client().do("POST", "/api/auth/refresh", map[string]string{"refresh_token": tk.RefreshToken})
	require.Equal(t, http.StatusUnauthorized, r.Status)
	require.Equal(t, "auth.refresh_token_reused", r.problem(t).Code)

	r = a.client().do("POST", "/api/auth/refresh", map[string]string{"refresh_token": legit.RefreshToken})
	require.Equal(t, http.StatusUnauthorized, r.Status, "the newer token of the family is dead too")
	c := a.client()
	c.bearer = legit.AccessToken
	require.Equal(t, http.StatusUnauthorized, c.do("GET", "/api/auth/me", nil).Status, "and its access token")

	other.bearer = ""
	require.Equal(t, http.StatusOK, other.do("GET", "/api/auth/me", nil).Status, "other sessions are untouched")
}

func TestLogoutEverywhere(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.setup()
	phone, pt := a.login("admin@example.com", adminPassword)
	laptop, _ := a.login("admin@example.com", adminPassword)
	r := laptop.do("POST", "/api/auth/logout", map[string]bool{"everywhere": true}, laptop.csrf()...)
	require.Equal(t, http.StatusNoContent, r.Status)
	require.Empty(t, laptop.cookie(auth.CookieAccess), "cookies are cleared")
	phone.bearer = pt.AccessToken
	require.Equal(t, http.StatusUnauthorized, phone.do("GET", "/api/auth/me", nil).Status)
	require.Equal(t, http.StatusUnauthorized, a.client().do("POST", "/api/auth/refresh", map[string]string{"refresh_token": pt.RefreshToken}).Status)
}

func TestFailedLoginsLookAlikeAndAreLimited(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.setup()
	unknown := a.client().do("POST", "/api/auth/login", map[string]string{"email": "nobody@example.com", "password": "whatever it is"})
	wrong := a.client().do("POST", "/api/auth/login", map[string]string{"email": "admin@example.com", "password": "not the password"})
	require.Equal(t, http.StatusUnauthorized, unknown.Status)
	pu, pw := unknown.problem(t), wrong.problem(t)
	require.Equal(t, pu.Code, pw.Code)
	require.Equal(t, pu.Detail, pw.Detail, "no user enumeration through login")

	// The account allows 5 failures per window (this test's config).
	for i := 0; i < 4; i++ {
		r := a.client().do("POST", "/api/auth/login", map[string]string{"email": "admin@example.com", "password": "guess " + strconv.Itoa(i)})
		require.Equal(t, http.StatusUnauthorized, r.Status)
	}
	r := a.client().do("POST", "/api/auth/login", map[string]string{"email": "admin@example.com", "password": adminPassword})
	require.Equal(t, http.StatusTooManyRequests, r.Status, "even the right password waits once the account is locked")
	require.Equal(t, "auth.rate_limited", r.problem(t).Code)
	retry, err := strconv.Atoi(r.Header.Get("Retry-After"))
	require.NoError(t, err)
	require.Greater(t, retry, 60)

	for i := 0; i < 5; i++ {
		a.client().do("POST", "/api/auth/login", map[string]string{"email": "ghost@example.com", "password": "guess"})
	}
	r = a.client().do("POST", "/api/auth/login", map[string]string{"email": "ghost@example.com", "password": "guess"})
	require.Equal(t, http.StatusTooManyRequests, r.Status, "unknown accounts are limited the same way")
}

func TestLoginIsLimitedPerClientAddress(t *testing.T) {
	t.Parallel()
	a := newApp(t, func(c *config.Config, _ *auth.Deps) { c.Auth.LoginAttemptsPerAddress = 3 })
	for i := 0; i < 3; i++ {
		r := a.client().do("POST", "/api/auth/login", map[string]string{"email": "user" + strconv.Itoa(i) + "@example.com", "password": "x"})
		require.Equal(t, http.StatusUnauthorized, r.Status)
	}
	r := a.client().do("POST", "/api/auth/login", map[string]string{"email": "user9@example.com", "password": "x"})
	require.Equal(t, http.StatusTooManyRequests, r.Status)
	require.NotEmpty(t, r.Header.Get("Retry-After"))
}

// forge builds tokens an attacker might try.
func TestBadTokensAreRejected(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.setup()
	_, tk := a.login("admin@example.com", adminPassword)
	parts := strings.Split(tk.AccessToken, ".")
	require.Len(t, parts, 3)
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)

	b64 := base64.RawURLEncoding.EncodeToString
	tampered := parts[0] + "." + b64([]byte(strings.Replace(string(payload), `"adm":true`, `"adm":false`, 1))) + "." + parts[2]
	noneAlg := b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	wrongKey := func() string {
		tok, _ := jwt.ParseInsecure([]byte(tk.AccessToken))
		signed, err := jwt.Sign(tok, jwt.WithKey(jwa.HS256(), []byte("a different secret key of 32 bytes!!")))
		require.NoError(t, err)
		return string(signed)
	}()
	rsaSigned := func() string {
		tok, _ := jwt.ParseInsecure([]byte(tk.AccessToken))
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		require.NoError(t, err)
		signed, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256(), key))
		require.NoError(t, err)
		return string(signed)
	}()

	for name, token := range map[string]string{
		"tampered payload":  tampered,
		"alg none":          noneAlg,
		"wrong key":         wrongKey,
		"other algorithm":   rsaSigned,
		"truncated":         tk.AccessToken[:len(tk.AccessToken)-5],
		"refresh as access": tk.RefreshToken,
		"garbage":           "abc.def.ghi",
	} {
		c := a.client()
		c.bearer = token
		r := c.do("GET", "/api/auth/me", nil)
		require.Equal(t, http.StatusUnauthorized, r.Status, name)
		require.Equal(t, "auth.invalid_token", r.problem(t).Code, name)
	}

	// Sixteen minutes later the token has expired.
	a.clock.advance(16 * time.Minute)
	c := a.client()
	c.bearer = tk.AccessToken
	r := c.do("GET", "/api/auth/me", nil)
	require.Equal(t, http.StatusUnauthorized, r.Status)
	require.Equal(t, "auth.token_expired", r.problem(t).Code)

	c.bearer = ""
	r = c.do("GET", "/api/auth/me", nil, "Authorization", "Basic YWRtaW46cGFzcw==")
	require.Equal(t, "auth.invalid_authorization", r.problem(t).Code)
}

func TestCookieSessionsNeedTheCSRFTokenToChangeThings(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.setup()
	browser, tk := a.login("admin@example.com", adminPassword)
	require.Equal(t, tk.CSRFToken, browser.cookie(auth.CookieCSRF))

	require.Equal(t, http.StatusOK, browser.do("GET", "/api/organizations", nil).Status, "reading needs no CSRF token")
	body := map[string]string{"name": "Contoso"}
	r := browser.do("POST", "/api/organizations", body)
	require.Equal(t, http.StatusForbidden, r.Status)
	require.Equal(t, "auth.csrf_failed", r.problem(t).Code)
	r = browser.do("POST", "/api/organizations", body, auth.HeaderCSRF, "forged")
	require.Equal(t, "auth.csrf_failed", r.problem(t).Code)
	r = browser.do("POST", "/api/organizations", body, browser.csrf()...)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))

	// A token of another session does not fit this one.
	other, _ := a.login("admin@example.com", adminPassword)
	r = browser.do("POST", "/api/organizations", map[string]string{"name": "Fabrikam"}, auth.HeaderCSRF, other.cookie(auth.CookieCSRF))
	require.Equal(t, "auth.csrf_failed", r.problem(t).Code)

	// Cookie refresh needs it too; then the cookies rotate.
	r = browser.do("POST", "/api/auth/refresh", nil)
	require.Equal(t, "auth.csrf_failed", r.problem(t).Code)
	before := browser.cookie(auth.CookieRefresh)
	r = browser.do("POST", "/api/auth/refresh", nil, browser.csrf()...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.NotEqual(t, before, browser.cookie(auth.CookieRefresh))

	// Bearer clients are not exposed to CSRF and need no token.
	api := a.client()
	api.bearer = tk.AccessToken
	require.Equal(t, http.StatusCreated, api.do("POST", "/api/organizations", map[string]string{"name": "Northwind"}).Status)
}

func TestSessionCookiesAreLockedDown(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	r := a.client().do("POST", "/api/auth/setup", map[string]string{"email": "admin@example.com", "password": adminPassword})
	require.Equal(t, http.StatusCreated, r.Status)
	cookies := map[string]*http.Cookie{}
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		cookies[c.Name] = c
	}
	for _, name := range []string{auth.CookieAccess, auth.CookieRefresh, auth.CookieCSRF} {
		c := cookies[name]
		require.NotNil(t, c, name)
		require.True(t, c.Secure, "%s is Secure (the test server is on 127.0.0.1, which browsers treat as secure)", name)
		require.Equal(t, http.SameSiteLaxMode, c.SameSite, name)
	}
	require.True(t, cookies[auth.CookieAccess].HttpOnly)
	require.True(t, cookies[auth.CookieRefresh].HttpOnly)
	require.False(t, cookies[auth.CookieCSRF].HttpOnly, "the web UI reads the CSRF cookie")
	require.Equal(t, "/api/auth", cookies[auth.CookieRefresh].Path, "the refresh token goes only to the auth endpoints")
}

func TestProvidersListOnlyWhatIsConfigured(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	var p auth.ProvidersResponse
	a.client().do("GET", "/api/auth/providers", nil).json(t, &p)
	require.Empty(t, p.Items)
	require.Equal(t, "invite_only", p.Registration)
	require.True(t, p.SetupNeeded)
	r := a.client().do("GET", "/api/auth/oauth/google/authorize", nil)
	require.Equal(t, http.StatusNotFound, r.Status)
}
