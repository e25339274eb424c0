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
	"github.com/bifrost-automation/bifrost/modules/internal/apitest"
	"github.com/bifrost-automation/bifrost/platform/config"
)

func TestSetupHappensOnceAndSignsTheAdminIn(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.Client()
	var st auth.SetupStatus
	c.Do("GET", "/api/auth/setup", nil).JSON(t, &st)
	require.True(t, st.Needed)

	r := c.Do("POST", "/api/auth/setup", map[string]string{"email": "not-an-email", "password": "short"})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Equal(t, "email", r.Problem(t).Errors[0].Field)

	admin := a.Setup()
	require.NotEmpty(t, cookie(admin, auth.CookieAccess), "the browser is signed in by cookie")
	var me auth.MeResponse
	admin.Do("GET", "/api/auth/me", nil).JSON(t, &me)
	require.True(t, me.IsSuperuser)
	require.Equal(t, "admin@example.com", me.Email)
	require.Equal(t, "bearer", me.AuthMethod)

	r = a.Client().Do("POST", "/api/auth/setup", map[string]string{"email": "evil@example.com", "password": "another password"})
	require.Equal(t, http.StatusConflict, r.Status)
	require.Equal(t, "auth.setup_done", r.Problem(t).Code)
	c.Do("GET", "/api/auth/setup", nil).JSON(t, &st)
	require.False(t, st.Needed)
}

func TestLoginRefreshLogout(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.Setup()
	c, tk := a.Login("ADMIN@example.com ", apitest.AdminPassword)
	require.Equal(t, int((15 * time.Minute).Seconds()), tk.ExpiresIn)
	require.True(t, strings.HasPrefix(tk.RefreshToken, "bfr_"))
	c.Bearer = tk.AccessToken
	require.Equal(t, http.StatusOK, c.Do("GET", "/api/auth/me", nil).Status)

	// An API client refreshes with the token in the body: it rotates.
	api := a.Client()
	r := api.Do("POST", "/api/auth/refresh", map[string]string{"refresh_token": tk.RefreshToken})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	var next apitest.Tokens
	r.JSON(t, &next)
	require.NotEqual(t, tk.RefreshToken, next.RefreshToken)
	require.NotEqual(t, tk.AccessToken, next.AccessToken)
	api.Bearer = next.AccessToken
	require.Equal(t, http.StatusOK, api.Do("GET", "/api/auth/me", nil).Status)

	// Logout ends the session at once, for the access token too.
	r = api.Do("POST", "/api/auth/logout", nil)
	require.Equal(t, http.StatusNoContent, r.Status)
	r = api.Do("GET", "/api/auth/me", nil)
	require.Equal(t, http.StatusUnauthorized, r.Status)
	require.Equal(t, "auth.session_revoked", r.Problem(t).Code)
	r = a.Client().Do("POST", "/api/auth/refresh", map[string]string{"refresh_token": next.RefreshToken})
	require.Equal(t, http.StatusUnauthorized, r.Status)
}

func TestReusingARotatedRefreshTokenRevokesTheSession(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.Setup()
	_, tk := a.Login("admin@example.com", apitest.AdminPassword)
	other, _ := a.Login("admin@example.com", apitest.AdminPassword) // another device, another session

	r := a.Client().Do("POST", "/api/auth/refresh", map[string]string{"refresh_token": tk.RefreshToken})
	require.Equal(t, http.StatusOK, r.Status)
	var legit apitest.Tokens
	r.JSON(t, &legit)

	// The stolen copy of the old token is presented: the whole family ends.
	r = a.Client().Do("POST", "/api/auth/refresh", map[string]string{"refresh_token": tk.RefreshToken})
	require.Equal(t, http.StatusUnauthorized, r.Status)
	require.Equal(t, "auth.refresh_token_reused", r.Problem(t).Code)

	r = a.Client().Do("POST", "/api/auth/refresh", map[string]string{"refresh_token": legit.RefreshToken})
	require.Equal(t, http.StatusUnauthorized, r.Status, "the newer token of the family is dead too")
	c := a.Client()
	c.Bearer = legit.AccessToken
	require.Equal(t, http.StatusUnauthorized, c.Do("GET", "/api/auth/me", nil).Status, "and its access token")

	other.Bearer = ""
	require.Equal(t, http.StatusOK, other.Do("GET", "/api/auth/me", nil).Status, "other sessions are untouched")
}

func TestLogoutEverywhere(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.Setup()
	phone, pt := a.Login("admin@example.com", apitest.AdminPassword)
	laptop, _ := a.Login("admin@example.com", apitest.AdminPassword)
	r := laptop.Do("POST", "/api/auth/logout", map[string]bool{"everywhere": true}, csrf(laptop)...)
	require.Equal(t, http.StatusNoContent, r.Status)
	require.Empty(t, cookie(laptop, auth.CookieAccess), "cookies are cleared")
	phone.Bearer = pt.AccessToken
	require.Equal(t, http.StatusUnauthorized, phone.Do("GET", "/api/auth/me", nil).Status)
	require.Equal(t, http.StatusUnauthorized, a.Client().Do("POST", "/api/auth/refresh", map[string]string{"refresh_token": pt.RefreshToken}).Status)
}

func TestFailedLoginsLookAlikeAndAreLimited(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.Setup()
	unknown := a.Client().Do("POST", "/api/auth/login", map[string]string{"email": "nobody@example.com", "password": "whatever it is"})
	wrong := a.Client().Do("POST", "/api/auth/login", map[string]string{"email": "admin@example.com", "password": "not the password"})
	require.Equal(t, http.StatusUnauthorized, unknown.Status)
	pu, pw := unknown.Problem(t), wrong.Problem(t)
	require.Equal(t, pu.Code, pw.Code)
	require.Equal(t, pu.Detail, pw.Detail, "no user enumeration through login")

	// The account allows 5 failures per window (this test's config).
	for i := 0; i < 4; i++ {
		r := a.Client().Do("POST", "/api/auth/login", map[string]string{"email": "admin@example.com", "password": "guess " + strconv.Itoa(i)})
		require.Equal(t, http.StatusUnauthorized, r.Status)
	}
	r := a.Client().Do("POST", "/api/auth/login", map[string]string{"email": "admin@example.com", "password": apitest.AdminPassword})
	require.Equal(t, http.StatusTooManyRequests, r.Status, "even the right password waits once the account is locked")
	require.Equal(t, "auth.rate_limited", r.Problem(t).Code)
	retry, err := strconv.Atoi(r.Header.Get("Retry-After"))
	require.NoError(t, err)
	require.Greater(t, retry, 60)

	for i := 0; i < 5; i++ {
		a.Client().Do("POST", "/api/auth/login", map[string]string{"email": "ghost@example.com", "password": "guess"})
	}
	r = a.Client().Do("POST", "/api/auth/login", map[string]string{"email": "ghost@example.com", "password": "guess"})
	require.Equal(t, http.StatusTooManyRequests, r.Status, "unknown accounts are limited the same way")
}

func TestLoginIsLimitedPerClientAddress(t *testing.T) {
	t.Parallel()
	a := newApp(t, func(c *config.Config, _ *auth.Deps) { c.Auth.LoginAttemptsPerAddress = 3 })
	for i := 0; i < 3; i++ {
		r := a.Client().Do("POST", "/api/auth/login", map[string]string{"email": "user" + strconv.Itoa(i) + "@example.com", "password": "x"})
		require.Equal(t, http.StatusUnauthorized, r.Status)
	}
	r := a.Client().Do("POST", "/api/auth/login", map[string]string{"email": "user9@example.com", "password": "x"})
	require.Equal(t, http.StatusTooManyRequests, r.Status)
	require.NotEmpty(t, r.Header.Get("Retry-After"))
}

// forge builds tokens an attacker might try.
func TestBadTokensAreRejected(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.Setup()
	_, tk := a.Login("admin@example.com", apitest.AdminPassword)
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
		c := a.Client()
		c.Bearer = token
		r := c.Do("GET", "/api/auth/me", nil)
		require.Equal(t, http.StatusUnauthorized, r.Status, name)
		require.Equal(t, "auth.invalid_token", r.Problem(t).Code, name)
	}

	// Sixteen minutes later the token has expired.
	a.Clock.Advance(16 * time.Minute)
	c := a.Client()
	c.Bearer = tk.AccessToken
	r := c.Do("GET", "/api/auth/me", nil)
	require.Equal(t, http.StatusUnauthorized, r.Status)
	require.Equal(t, "auth.token_expired", r.Problem(t).Code)

	c.Bearer = ""
	r = c.Do("GET", "/api/auth/me", nil, "Authorization", "Basic YWRtaW46cGFzcw==")
	require.Equal(t, "auth.invalid_authorization", r.Problem(t).Code)
}

func TestCookieSessionsNeedTheCSRFTokenToChangeThings(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.Setup()
	browser, tk := a.Login("admin@example.com", apitest.AdminPassword)
	require.Equal(t, tk.CSRFToken, cookie(browser, auth.CookieCSRF))

	require.Equal(t, http.StatusOK, browser.Do("GET", "/api/organizations", nil).Status, "reading needs no CSRF token")
	body := map[string]string{"name": "Contoso"}
	r := browser.Do("POST", "/api/organizations", body)
	require.Equal(t, http.StatusForbidden, r.Status)
	require.Equal(t, "auth.csrf_failed", r.Problem(t).Code)
	r = browser.Do("POST", "/api/organizations", body, auth.HeaderCSRF, "forged")
	require.Equal(t, "auth.csrf_failed", r.Problem(t).Code)
	r = browser.Do("POST", "/api/organizations", body, csrf(browser)...)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))

	// A token of another session does not fit this one.
	other, _ := a.Login("admin@example.com", apitest.AdminPassword)
	r = browser.Do("POST", "/api/organizations", map[string]string{"name": "Fabrikam"}, auth.HeaderCSRF, cookie(other, auth.CookieCSRF))
	require.Equal(t, "auth.csrf_failed", r.Problem(t).Code)

	// Cookie refresh needs it too; then the cookies rotate.
	r = browser.Do("POST", "/api/auth/refresh", nil)
	require.Equal(t, "auth.csrf_failed", r.Problem(t).Code)
	before := cookie(browser, auth.CookieRefresh)
	r = browser.Do("POST", "/api/auth/refresh", nil, csrf(browser)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.NotEqual(t, before, cookie(browser, auth.CookieRefresh))

	// Bearer clients are not exposed to CSRF and need no token.
	api := a.Client()
	api.Bearer = tk.AccessToken
	require.Equal(t, http.StatusCreated, api.Do("POST", "/api/organizations", map[string]string{"name": "Northwind"}).Status)
}

func TestSessionCookiesAreLockedDown(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	r := a.Client().Do("POST", "/api/auth/setup", map[string]string{"email": "admin@example.com", "password": apitest.AdminPassword})
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
	a.Client().Do("GET", "/api/auth/providers", nil).JSON(t, &p)
	require.Empty(t, p.Items)
	require.Equal(t, "invite_only", p.Registration)
	require.True(t, p.SetupNeeded)
	r := a.Client().Do("GET", "/api/auth/oauth/google/authorize", nil)
	require.Equal(t, http.StatusNotFound, r.Status)
}
