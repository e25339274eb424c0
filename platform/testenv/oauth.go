package testenv

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// OAuthServer is a small OAuth 2.0 provider for tests: a consent page, a
// token endpoint for the authorization-code (with PKCE), refresh-token and
// client-credentials grants, and a protected /me resource. It rotates
// refresh tokens, rejects a rotated one, and counts what it was asked.
type OAuthServer struct {
	URL          string
	ClientID     string
	ClientSecret string

	srv *httptest.Server

	mu            sync.Mutex
	expiresIn     time.Duration
	refreshDelay  time.Duration
	failRefresh   string
	codes         map[string]oauthCode
	refreshTokens map[string]bool // valid refresh tokens
	access        map[string]time.Time
	counts        map[string]int
	seq           int
}

type oauthCode struct {
	redirectURI string
	challenge   string
	scope       string
}

// NewOAuthServer starts a provider that knows one client.
func NewOAuthServer(t testing.TB) *OAuthServer {
	t.Helper()
	o := &OAuthServer{ClientID: "test-client", ClientSecret: "test-client-secret", expiresIn: time.Hour,
		codes: map[string]oauthCode{}, refreshTokens: map[string]bool{}, access: map[string]time.Time{}, counts: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", o.consent)
	mux.HandleFunc("POST /authorize", o.decide)
	mux.HandleFunc("POST /token", o.token)
	mux.HandleFunc("GET /me", o.me)
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	o.srv = httptest.NewServer(mux)
	o.URL = o.srv.URL
	t.Cleanup(o.srv.Close)
	return o
}

// AuthorizeURL and TokenURL are the provider's endpoints.
func (o *OAuthServer) AuthorizeURL() string { return o.URL + "/authorize" }

// TokenURL is the token endpoint.
func (o *OAuthServer) TokenURL() string { return o.URL + "/token" }

// MeURL is a resource that answers 200 to a valid access token.
func (o *OAuthServer) MeURL() string { return o.URL + "/me" }

// SetExpiresIn sets the life of the access tokens it issues from now on.
func (o *OAuthServer) SetExpiresIn(d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.expiresIn = d
}

// SetRefreshDelay makes refresh-token grants wait, widening any race
// between callers.
func (o *OAuthServer) SetRefreshDelay(d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.refreshDelay = d
}

// FailRefresh makes refresh-token grants answer this OAuth error code ("" to
// stop).
func (o *OAuthServer) FailRefresh(code string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.failRefresh = code
}

// Count returns how often a grant ("authorization_code", "refresh_token",
// "client_credentials") succeeded, or "refresh_token_requests" how many
// refresh requests arrived.
func (o *OAuthServer) Count(what string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.counts[what]
}

func (o *OAuthServer) next(prefix string) string {
	o.seq++
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", prefix, o.seq, base64.RawURLEncoding.EncodeToString(b))
}

var consentPage = template.Must(template.New("consent").Parse(`<!doctype html>
<html><head><title>Test provider: consent</title></head>
<body>
<h1>Test provider</h1>
<p>Allow <strong>{{.ClientID}}</strong> to access: {{.Scope}}</p>
<form method="post" action="{{.Action}}">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>
</body></html>`))

func (o *OAuthServer) checkAuthorize(q url.Values) string {
	switch {
	case q.Get("response_type") != "code":
		return "response_type must be code"
	case q.Get("client_id") != o.ClientID:
		return "unknown client_id"
	case q.Get("redirect_uri") == "":
		return "redirect_uri is required"
	case q.Get("code_challenge") != "" && q.Get("code_challenge_method") != "S256":
		return "only S256 challenges"
	}
	return ""
}

func (o *OAuthServer) consent(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if msg := o.checkAuthorize(q); msg != "" {
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = consentPage.Execute(w, map[string]any{"ClientID": q.Get("client_id"), "Scope": q.Get("scope"),
		"Action": template.URL("/authorize?" + r.URL.Query().Encode())}) // #nosec G203 -- the query is re-encoded

}

func (o *OAuthServer) decide(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if msg := o.checkAuthorize(q); msg != "" {
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, o.Decide(q, r.PostFormValue("decision") == "allow"), http.StatusFound)
}

// Approve is the consent page's "Allow" without a browser: it returns the
// callback URL, with a code, for an authorization URL.
func (o *OAuthServer) Approve(t testing.TB, authorizeURL string) string {
	t.Helper()
	u, err := url.Parse(authorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	if msg := o.checkAuthorize(u.Query()); msg != "" {
		t.Fatalf("authorization request refused: %s", msg)
	}
	return o.Decide(u.Query(), true)
}

// Decide returns where the provider sends the browser back.
func (o *OAuthServer) Decide(q url.Values, allow bool) string {
	back, _ := url.Parse(q.Get("redirect_uri"))
	v := back.Query()
	v.Set("state", q.Get("state"))
	if allow {
		o.mu.Lock()
		code := o.next("code")
		o.codes[code] = oauthCode{redirectURI: q.Get("redirect_uri"), challenge: q.Get("code_challenge"), scope: q.Get("scope")}
		o.mu.Unlock()
		v.Set("code", code)
	} else {
		v.Set("error", "access_denied")
		v.Set("error_description", "The user declined.")
	}
	back.RawQuery = v.Encode()
	return back.String()
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

func (o *OAuthServer) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "unreadable form")
		return
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	if id != o.ClientID || secret != o.ClientSecret {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
		return
	}
	grant := r.PostFormValue("grant_type")
	o.mu.Lock()
	scope := r.PostFormValue("scope")
	switch grant {
	case "authorization_code":
		c, found := o.codes[r.PostFormValue("code")]
		delete(o.codes, r.PostFormValue("code"))
		switch {
		case !found:
			o.mu.Unlock()
			oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown or used code")
			return
		case c.redirectURI != r.PostFormValue("redirect_uri"):
			o.mu.Unlock()
			oauthError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri differs")
			return
		case c.challenge != "" && s256(r.PostFormValue("code_verifier")) != c.challenge:
			o.mu.Unlock()
			oauthError(w, http.StatusBadRequest, "invalid_grant", "PKCE verification failed")
			return
		}
		scope = c.scope
	case "refresh_token":
		o.counts["refresh_token_requests"]++
		delay, fail := o.refreshDelay, o.failRefresh
		o.mu.Unlock()
		time.Sleep(delay)
		o.mu.Lock()
		rt := r.PostFormValue("refresh_token")
		if fail != "" {
			o.mu.Unlock()
			oauthError(w, http.StatusBadRequest, fail, "refreshing is refused")
			return
		}
		if !o.refreshTokens[rt] {
			o.mu.Unlock()
			oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown or already used refresh token")
			return
		}
		delete(o.refreshTokens, rt) // rotation: each refresh token works once
	case "client_credentials":
	default:
		o.mu.Unlock()
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", grant)
		return
	}
	o.counts[grant]++
	access := o.next("access")
	o.access[access] = time.Now().Add(o.expiresIn)
	resp := map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": int(o.expiresIn.Seconds())}
	if scope != "" {
		resp["scope"] = scope
	}
	if grant != "client_credentials" {
		rt := o.next("refresh")
		o.refreshTokens[rt] = true
		resp["refresh_token"] = rt
	}
	o.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(resp)
}

// IssueRefreshToken makes a refresh token the provider accepts, as if an
// admin had obtained it elsewhere.
func (o *OAuthServer) IssueRefreshToken() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	rt := o.next("refresh")
	o.refreshTokens[rt] = true
	return rt
}

func (o *OAuthServer) me(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	o.mu.Lock()
	exp, known := o.access[tok]
	o.mu.Unlock()
	if !ok || !known || time.Now().After(exp) {
		oauthError(w, http.StatusUnauthorized, "invalid_token", "missing, unknown or expired access token")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"name": "Test User"})
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
