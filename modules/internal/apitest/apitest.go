// Package apitest runs the modules in process behind a real HTTP server, on
// a test's own PostgreSQL database and Redis prefix, wired as main.go wires
// them, and gives tests HTTP clients that act as a browser or an API
// client. Module tests that cross modules (a secret that config refers
// to, an integration connected through the callback) use it.
package apitest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/modules/audit"
	"github.com/bifrost-automation/bifrost/modules/auth"
	configmod "github.com/bifrost-automation/bifrost/modules/config"
	"github.com/bifrost-automation/bifrost/modules/executions"
	"github.com/bifrost-automation/bifrost/modules/integrations"
	"github.com/bifrost-automation/bifrost/modules/orgs"
	"github.com/bifrost-automation/bifrost/modules/secrets"
	"github.com/bifrost-automation/bifrost/modules/workflows"
	"github.com/bifrost-automation/bifrost/platform/app"
	"github.com/bifrost-automation/bifrost/platform/bus"
	"github.com/bifrost-automation/bifrost/platform/config"
	"github.com/bifrost-automation/bifrost/platform/httpx"
	"github.com/bifrost-automation/bifrost/platform/mail"
	"github.com/bifrost-automation/bifrost/platform/testenv"
)

// Quiet discards logs.
var Quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// App is the modules behind an HTTP server.
type App struct {
	T            testing.TB
	URL          string
	Env          *testenv.Env
	Config       config.Config
	Clock        *Clock
	MailDir      string
	Audit        *audit.Module
	Orgs         *orgs.Module
	Auth         *auth.Module
	Vault        *secrets.Vault
	Secrets      *secrets.Module
	ConfigValues *configmod.Module
	Integrations *integrations.Module
	Workflows    *workflows.Module
	Executions   *executions.Module
	// Publisher is set with Options.Broker.
	Publisher *bus.Publisher
	// Logs holds every log line the modules wrote.
	Logs *LogBuffer
	// AdminID is the first admin's id, once Setup ran.
	AdminID uuid.UUID
}

// Clock is a test clock that can jump ahead.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// LogBuffer collects log output safely from many goroutines.
type LogBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything logged so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Options change how the app is built.
type Options struct {
	// Config changes the configuration before the modules are built.
	Config func(*config.Config)
	// Auth and Integrations change the modules' dependencies.
	Auth         func(*auth.Deps)
	Integrations func(*integrations.Deps)
	// Broker gives the test its own RabbitMQ exchanges and queues and a
	// publisher, so executions are queued.
	Broker bool
	// Worker starts the worker side as a worker process would: the runner
	// pool on the configured workspace, the executions heartbeat, and (with
	// Broker) the queue consumers.
	Worker bool
}

// New builds the modules and starts the server.
func New(t testing.TB, o Options) *App {
	t.Helper()
	env := &testenv.Env{DB: testenv.NewDB(t), Redis: testenv.NewRedis(t)}
	if o.Broker {
		env.Broker = testenv.NewBroker(t)
	}
	cfg := env.Config(t)
	cfg.Auth.LoginFailuresPerAccount = 5
	cfg.Auth.LoginAttemptsPerAddress = 1000
	cfg.Integrations.AllowHTTP = true
	// The public URL is the test server's, known once it listens.
	ts := httptest.NewUnstartedServer(nil)
	cfg.HTTP.PublicURL = "http://" + ts.Listener.Addr().String()
	if o.Config != nil {
		o.Config(&cfg)
	}
	logs := &LogBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := &App{T: t, Env: env, Clock: &Clock{}, MailDir: filepath.Join(cfg.DataDir, "mail"), Logs: logs}

	mailer, err := mail.New("", cfg.Mail.From, a.MailDir, logger)
	require.NoError(t, err)
	a.Audit = audit.New(audit.Deps{DB: env.DB.DB, Logger: logger})
	a.Orgs = orgs.New(orgs.Deps{DB: env.DB.DB, Cache: env.Redis.Client, Logger: logger, Auditor: a.Audit})
	authDeps := auth.Deps{Config: cfg, DB: env.DB.DB, Cache: env.Redis.Client, Logger: logger, Auditor: a.Audit, Orgs: a.Orgs,
		Mailer: mailer, Now: a.Clock.Now}
	if o.Auth != nil {
		o.Auth(&authDeps)
	}
	a.Auth, err = auth.New(authDeps)
	require.NoError(t, err)
	a.Orgs.UseUsers(a.Auth)

	ring, err := secrets.RingFromConfig(cfg.Secrets, cfg.SecretKey)
	require.NoError(t, err)
	a.Vault = secrets.NewVault(env.DB.DB, ring)
	a.Secrets = secrets.New(secrets.Deps{DB: env.DB.DB, Vault: a.Vault, Logger: logger, Auditor: a.Audit, Authorizer: a.Orgs})
	a.ConfigValues = configmod.New(configmod.Deps{DB: env.DB.DB, Logger: logger, Auditor: a.Audit, Secrets: a.Secrets, Authorizer: a.Orgs})
	a.Secrets.UseReferences(a.ConfigValues)
	intDeps := integrations.Deps{Config: cfg, DB: env.DB.DB, Cache: env.Redis.Client, Logger: logger, Auditor: a.Audit,
		Vault: a.Vault, Authorizer: a.Orgs, Now: a.Clock.Now}
	if o.Integrations != nil {
		o.Integrations(&intDeps)
	}
	a.Integrations, err = integrations.New(intDeps)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	busOpts := bus.Options{URL: cfg.RabbitMQ.URL, Prefix: cfg.RabbitMQ.Prefix, Prefetch: cfg.RabbitMQ.Prefetch,
		PublishTimeout: cfg.RabbitMQ.PublishTimeout.D(), MaxRetries: cfg.RabbitMQ.MaxRetries, RetryInterval: cfg.RabbitMQ.RetryInterval.D(),
		RetryMaxBackoff: cfg.RabbitMQ.RetryMaxBackoff.D(), DrainTimeout: cfg.RabbitMQ.DrainTimeout.D(), Name: "apitest", Logger: logger}
	if o.Broker {
		a.Publisher, err = bus.NewPublisher(ctx, busOpts)
		require.NoError(t, err)
		t.Cleanup(func() { _ = a.Publisher.Close() })
	}
	a.Workflows = workflows.New(workflows.Deps{Config: cfg, DB: env.DB.DB, Cache: env.Redis.Client, Logger: logger})
	a.Executions = executions.New(executions.Deps{Config: cfg, DB: env.DB.DB, Cache: env.Redis.Client, Publisher: a.Publisher, Logger: logger,
		Auditor: a.Audit, Authorizer: a.Orgs, Registry: a.Workflows, Orgs: a.Orgs,
		Runner: func() executions.Runner {
			if pool := a.Workflows.Pool(); pool != nil {
				return pool
			}
			return nil
		}})
	a.Workflows.UseServices(workflows.Services{Config: a.ConfigValues, Secrets: a.Secrets, Integrations: a.Integrations, Orgs: a.Orgs,
		Executions: a.Executions})

	a.Orgs.Start(ctx)
	a.Auth.Start(ctx)
	a.Executions.Start(ctx)

	srv := httpx.New(httpx.Options{Config: cfg.HTTP, Logger: logger, API: true, Version: "test"})
	srv.API().SetAuth(a.Auth, a.Orgs, a.Orgs)
	a.Audit.RegisterRoutes(srv.API())
	a.Orgs.RegisterRoutes(srv.API())
	a.Auth.RegisterRoutes(srv.API())
	a.Secrets.RegisterRoutes(srv.API())
	a.ConfigValues.RegisterRoutes(srv.API())
	a.Integrations.RegisterRoutes(srv.API())
	a.Workflows.RegisterRoutes(srv.API())
	a.Executions.RegisterRoutes(srv.API())
	if o.Worker {
		stop, err := a.Workflows.StartWorker(ctx)
		require.NoError(t, err)
		stopBeats, err := a.Executions.StartWorker(ctx)
		require.NoError(t, err)
		var router *bus.Router
		if o.Broker {
			router, err = bus.NewRouter(ctx, busOpts, a.Publisher)
			require.NoError(t, err)
			require.NoError(t, a.Executions.RegisterHandlers(router))
			require.NoError(t, router.Run(ctx))
		}
		t.Cleanup(func() {
			if router != nil {
				_ = router.Shutdown(context.Background())
			}
			stopBeats()
			stop()
		})
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	a.URL, a.Config = ts.URL, cfg
	return a
}

// Client is one user agent: a cookie jar (a browser) and, optionally, a
// bearer token (an API client). It does not follow redirects.
type Client struct {
	T      testing.TB
	App    *App
	HTTP   *http.Client
	Bearer string
	// Header is sent with every request.
	Header http.Header
}

// Client returns a new user agent.
func (a *App) Client() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{T: a.T, App: a, Header: http.Header{},
		HTTP: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// InOrg returns a copy of the client acting on an organization
// (X-Organization-Id).
func (c *Client) InOrg(org string) *Client {
	cp := *c
	cp.Header = c.Header.Clone()
	cp.Header.Set(httpx.HeaderOrganization, org)
	return &cp
}

// Response is an HTTP response, read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.Body, v), string(r.Body))
}

// Problem decodes a problem+json body.
func (r Response) Problem(t testing.TB) httpx.Problem {
	t.Helper()
	require.Equal(t, httpx.ProblemContentType, r.Header.Get("Content-Type"), string(r.Body))
	var p httpx.Problem
	r.JSON(t, &p)
	return p
}

// Do sends a request; body is sent as JSON; headers are name, value pairs.
func (c *Client) Do(method, path string, body any, headers ...string) Response {
	c.T.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(c.T, err)
		rd = strings.NewReader(string(b))
	}
	target := path
	if strings.HasPrefix(path, "/") {
		target = c.App.URL + path
	}
	req, err := http.NewRequest(method, target, rd)
	require.NoError(c.T, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.Bearer)
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.HTTP.Do(req)
	require.NoError(c.T, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(c.T, err)
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Must sends a request, requires the status and decodes the body into out
// (when not nil).
func (c *Client) Must(status int, method, path string, body, out any) Response {
	c.T.Helper()
	r := c.Do(method, path, body)
	require.Equal(c.T, status, r.Status, "%s %s: %s", method, path, r.Body)
	if out != nil {
		r.JSON(c.T, out)
	}
	return r
}

// Tokens is a login response.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
	CSRFToken    string `json:"csrf_token"`
}

// AdminPassword is the first admin's password.
const AdminPassword = "the admin password"

// Setup creates the first admin and returns an API client signed in as
// them.
func (a *App) Setup() *Client {
	a.T.Helper()
	c := a.Client()
	var tk Tokens
	c.Must(http.StatusCreated, "POST", "/api/auth/setup", map[string]string{"email": "admin@example.com", "password": AdminPassword, "name": "Ada Admin"}, &tk)
	c.Bearer = tk.AccessToken
	var me struct {
		ID uuid.UUID `json:"id"`
	}
	c.Must(http.StatusOK, "GET", "/api/auth/me", nil, &me)
	a.AdminID = me.ID
	return c
}

// AsAdmin is the context the workflow runtime gives a module call made by
// the first admin in org (nil: the global scope) for execution "exec-123".
func (a *App) AsAdmin(org *uuid.UUID) context.Context {
	ctx := httpx.WithPrincipal(context.Background(), &httpx.Principal{UserID: a.AdminID, Email: "admin@example.com", IsSuperuser: true},
		httpx.Scope{OrganizationID: org})
	return app.WithExecution(ctx, "exec-123")
}

// Login signs in with a password.
func (a *App) Login(email, password string) (*Client, Tokens) {
	a.T.Helper()
	c := a.Client()
	var tk Tokens
	c.Must(http.StatusOK, "POST", "/api/auth/login", map[string]string{"email": email, "password": password}, &tk)
	return c, tk
}

var linkRe = regexp.MustCompile(`https?://\S+[?&]token=([A-Za-z0-9_-]+)`)

// MailTo waits for the newest email to an address after the first `after`
// ones and returns it and the token of its link.
func (a *App) MailTo(to string, after int) (mail.Stored, string) {
	a.T.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		msgs, err := mail.ReadDir(a.MailDir)
		require.NoError(a.T, err)
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
				a.T.Fatalf("could not read the link of %s:\n%s", m.Path, m.Text)
			}
			return m, tok
		}
		time.Sleep(20 * time.Millisecond)
	}
	a.T.Fatalf("no email to %s arrived", to)
	return mail.Stored{}, ""
}

// MailCount counts the emails to an address.
func (a *App) MailCount(to string) int {
	msgs, err := mail.ReadDir(a.MailDir)
	require.NoError(a.T, err)
	n := 0
	for _, m := range msgs {
		if strings.Contains(m.To, to) {
			n++
		}
	}
	return n
}

// Org creates an organization as the admin and returns its id.
func (a *App) Org(admin *Client, name, domain string) string {
	a.T.Helper()
	body := map[string]string{"name": name}
	if domain != "" {
		body["email_domain"] = domain
	}
	var o orgs.Organization
	admin.Must(http.StatusCreated, "POST", "/api/organizations", body, &o)
	return o.ID.String()
}

// Role creates a role in an organization with permissions and returns its
// id.
func (a *App) Role(admin *Client, orgID, name string, perms ...string) string {
	a.T.Helper()
	if perms == nil {
		perms = []string{}
	}
	var r struct {
		ID string `json:"id"`
	}
	admin.Must(http.StatusCreated, "POST", "/api/roles", map[string]any{"name": name, "permissions": perms, "organization_id": orgID}, &r)
	return r.ID
}

// MemberPassword is the password members choose.
const MemberPassword = "member password 1"

// Member invites a user to an organization with roles and has them
// accept; it returns an API client signed in as them and their id.
func (a *App) Member(admin *Client, email, orgID string, roleIDs ...string) (*Client, string) {
	a.T.Helper()
	body := map[string]any{"email": email, "organization_id": orgID}
	if len(roleIDs) > 0 {
		body["role_ids"] = roleIDs
	}
	before := a.MailCount(email)
	var u auth.User
	admin.Must(http.StatusCreated, "POST", "/api/users", body, &u)
	_, token := a.MailTo(email, before)
	c := a.Client()
	var tk Tokens
	c.Must(http.StatusOK, "POST", "/api/auth/accept-invitation", map[string]string{"token": token, "password": MemberPassword, "name": "Member"}, &tk)
	c.Bearer = tk.AccessToken
	return c, u.ID.String()
}

// AuditDetails returns every audit entry's action and details as JSON
// text, for checks that something never reaches the audit log.
func (a *App) AuditDetails(t testing.TB) string {
	t.Helper()
	var rows []struct {
		Action  string          `bun:"action"`
		Details json.RawMessage `bun:"details"`
	}
	require.NoError(t, a.Env.DB.DB.NewSelect().Table("audit_logs").Column("action", "details").Scan(context.Background(), &rows))
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(r.Action + " " + string(r.Details) + "\n")
	}
	return b.String()
}
