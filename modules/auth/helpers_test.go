package auth_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/modules/audit"
	"github.com/bifrost-automation/bifrost/modules/auth"
	"github.com/bifrost-automation/bifrost/modules/orgs"
	"github.com/bifrost-automation/bifrost/platform/config"
	"github.com/bifrost-automation/bifrost/platform/httpx"
	"github.com/bifrost-automation/bifrost/platform/mail"
	"github.com/bifrost-automation/bifrost/platform/testenv"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// app is the identity modules behind a real HTTP server, on the test's own
// PostgreSQL database and Redis prefix.
type app struct {
	t       *testing.T
	URL     string
	env     *testenv.Env
	cfg     config.Config
	auth    *auth.Module
	orgs    *orgs.Module
	mailDir string
	clock   *clock
}

type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

type option func(*config.Config, *auth.Deps)

func newApp(t *testing.T, opts ...option) *app {
	t.Helper()
	env := &testenv.Env{DB: testenv.NewDB(t), Redis: testenv.NewRedis(t)}
	cfg := env.Config(t)
	cfg.Auth.LoginFailuresPerAccount = 5
	cfg.Auth.LoginAttemptsPerAddress = 1000
	srvRef := &struct{ url string }{}
	a := &app{t: t, env: env, clock: &clock{}, mailDir: filepath.Join(cfg.DataDir, "mail")}
	deps := auth.Deps{DB: env.DB.DB, Cache: env.Redis.Client, Logger: quiet, Now: a.clock.now}
	for _, o := range opts {
		o(&cfg, &deps)
	}
	// The public URL is the test server's, known once it listens: start a
	// listener first.
	ts := httptest.NewUnstartedServer(nil)
	cfg.HTTP.PublicURL = "http://" + ts.Listener.Addr().String()
	srvRef.url = cfg.HTTP.PublicURL
	mailer, err := mail.New("", cfg.Mail.From, a.mailDir, quiet)
	require.NoError(t, err)
	auditor := audit.New(audit.Deps{DB: env.DB.DB, Logger: quiet})
	a.orgs = orgs.New(orgs.Deps{DB: env.DB.DB, Cache: env.Redis.Client, Logger: quiet, Auditor: auditor})
	deps.Config, deps.Auditor, deps.Orgs, deps.Mailer = cfg, auditor, a.orgs, mailer
	a.auth, err = auth.New(deps)
	require.NoError(t, err)
	a.orgs.UseUsers(a.auth)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	a.orgs.Start(ctx)
	a.auth.Start(ctx)

	srv := httpx.New(httpx.Options{Config: cfg.HTTP, Logger: quiet, API: true, Version: "test"})
	srv.API().SetAuth(a.auth, a.orgs, a.orgs)
	auditor.RegisterRoutes(srv.API())
	a.orgs.RegisterRoutes(srv.API())
	a.auth.RegisterRoutes(srv.API())
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	a.URL, a.cfg = ts.URL, cfg
	return a
}

// client is one user agent: a cookie jar (a browser) and, optionally, a
// bearer token (an API client).
type client struct {
	t      *testing.T
	app    *app
	http   *http.Client
	bearer string
	header http.Header
}

func (a *app) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: a.t, app: a, header: http.Header{},
		http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.Body, v), string(r.Body))
}

func (r response) problem(t *testing.T) httpx.Problem {
	t.Helper()
	require.Equal(t, httpx.ProblemContentType, r.Header.Get("Content-Type"), string(r.Body))
	var p httpx.Problem
	r.json(t, &p)
	return p
}

func (c *client) do(method, path string, body any, headers ...string) response {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(c.t, err)
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, c.app.URL+path, rd)
	require.NoError(c.t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// cookie returns a cookie the server set for path.
func (c *client) cookie(name string) string {
	u, _ := url.Parse(c.app.URL + "/api/auth/refresh")
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// csrf returns the header pair a browser's script sends on changes.
func (c *client) csrf() []string { return []string{auth.HeaderCSRF, c.cookie(auth.CookieCSRF)} }

type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
	CSRFToken    string `json:"csrf_token"`
}

const adminPassword = "the admin password"

// setup creates the first admin and returns an API client signed in as them.
func (a *app) setup() *client {
	a.t.Helper()
	c := a.client()
	r := c.do("POST", "/api/auth/setup", map[string]string{"email": "admin@example.com", "password": adminPassword, "name": "Ada Admin"})
	require.Equal(a.t, http.StatusCreated, r.Status, string(r.Body))
	var tk tokens
	r.json(a.t, &tk)
	c.bearer = tk.AccessToken
	return c
}

func (a *app) login(email, password string) (*client, tokens) {
	a.t.Helper()
	c := a.client()
	r := c.do("POST", "/api/auth/login", map[string]string{"email": email, "password": password})
	require.Equal(a.t, http.StatusOK, r.Status, string(r.Body))
	var tk tokens
	r.json(a.t, &tk)
	return c, tk
}

var linkRe = regexp.MustCompile(`https?://\S+[?&]token=([A-Za-z0-9_-]+)`)

// mailTo waits for the newest email to an address and returns it and the
// token of its link.
func (a *app) mailTo(to string, after int) (mail.Stored, string) {
	a.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		msgs, err := mail.ReadDir(a.mailDir)
		require.NoError(a.t, err)
		var mine []mail.Stored
		for _, m := range msgs {
			if strings.Contains(m.To, to) {
				mine = append(mine, m)
			}
		}
		if len(mine) > after {
			m := mine[len(mine)-1]
			tok := ""
			if match := linkRe.FindStringSubmatch(m.Text); match != nil {
				tok = match[1]
			} else if strings.Contains(m.Text, "token=") {
				a.t.Fatalf("could not read the link of %s:\n%s", m.Path, m.Text)
			}
			return m, tok
		}
		time.Sleep(20 * time.Millisecond)
	}
	a.t.Fatalf("no email to %s arrived", to)
	return mail.Stored{}, ""
}

func (a *app) mailCount(to string) int {
	msgs, err := mail.ReadDir(a.mailDir)
	require.NoError(a.t, err)
	n := 0
	for _, m := range msgs {
		if strings.Contains(m.To, to) {
			n++
		}
	}
	return n
}

// org creates an organization as the admin and returns its id.
func (a *app) org(admin *client, name, domain string) string {
	a.t.Helper()
	body := map[string]string{"name": name}
	if domain != "" {
		body["email_domain"] = domain
	}
	r := admin.do("POST", "/api/organizations", body)
	require.Equal(a.t, http.StatusCreated, r.Status, string(r.Body))
	var o orgs.Organization
	r.json(a.t, &o)
	return o.ID.String()
}

// invite invites a user and has them accept, returning a signed-in client.
func (a *app) member(admin *client, email, orgID string, roleIDs ...string) (*client, string) {
	a.t.Helper()
	body := map[string]any{"email": email, "organization_id": orgID}
	if len(roleIDs) > 0 {
		body["role_ids"] = roleIDs
	}
	before := a.mailCount(email)
	r := admin.do("POST", "/api/users", body)
	require.Equal(a.t, http.StatusCreated, r.Status, string(r.Body))
	var u auth.User
	r.json(a.t, &u)
	_, token := a.mailTo(email, before)
	c := a.client()
	r = c.do("POST", "/api/auth/accept-invitation", map[string]string{"token": token, "password": "member password 1", "name": "Member"})
	require.Equal(a.t, http.StatusOK, r.Status, string(r.Body))
	var tk tokens
	r.json(a.t, &tk)
	c.bearer = tk.AccessToken
	return c, u.ID.String()
}
