// Package auth owns accounts and their credentials: users, passwords
// (argon2id), sessions (short JWT access tokens, rotating refresh tokens),
// CSRF protection for browser sessions, login rate limits, emailed links for
// invitations, password resets and email verification, social login with
// Google, Microsoft and GitHub, first-run setup and the `bifrost user create`
// and `bifrost seed` commands. It reaches organizations and roles only
// through the Orgs interface.
package auth

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"

	"github.com/bifrost-automation/bifrost/modules/orgs"
	"github.com/bifrost-automation/bifrost/platform/app"
	"github.com/bifrost-automation/bifrost/platform/cache"
	"github.com/bifrost-automation/bifrost/platform/config"
	"github.com/bifrost-automation/bifrost/platform/db"
	"github.com/bifrost-automation/bifrost/platform/httpx"
	"github.com/bifrost-automation/bifrost/platform/mail"
)

// Orgs is what this module needs from the orgs module.
type Orgs interface {
	Organization(ctx context.Context, id uuid.UUID) (orgs.OrgInfo, error)
	OrganizationByEmailDomain(ctx context.Context, domain string) (orgs.OrgInfo, bool, error)
	OrganizationBySlug(ctx context.Context, slug string) (orgs.OrgInfo, error)
	RolesOf(ctx context.Context, userID uuid.UUID) ([]orgs.RoleRef, error)
	SetRoles(ctx context.Context, userID uuid.UUID, roleIDs []uuid.UUID) error
	PermissionsOf(ctx context.Context, userID uuid.UUID) (map[string]bool, error)
	EnsureOrganization(ctx context.Context, name, slug, domain string) (orgs.OrgInfo, bool, error)
	EnsureRole(ctx context.Context, org *uuid.UUID, name, description string, perms []string) (uuid.UUID, bool, error)
	EnsureAssigned(ctx context.Context, userID, roleID uuid.UUID) error
}

// Deps is what the module needs.
type Deps struct {
	Config  config.Config
	DB      *db.DB
	Cache   *cache.Client
	Logger  *slog.Logger
	Auditor app.Auditor
	Orgs    Orgs
	Mailer  mail.Mailer
	// HTTPClient reaches the social login providers; tests point it at a
	// fake identity provider. Nil uses a client with timeouts.
	HTTPClient *http.Client
	// Now is the clock (tests); nil is time.Now.
	Now func() time.Time
}

// Module is the auth module.
type Module struct {
	cfg       config.AuthConfig
	publicURL *url.URL
	store     *store
	cache     *cache.Client
	log       *slog.Logger
	audit     app.Auditor
	orgs      Orgs
	mailer    mail.Mailer
	hasher    *hasher
	signer    *tokenSigner
	sessions  *sessions
	limiter   *limiter
	csrfKey   []byte
	stateKey  []byte
	secure    bool
	providers map[string]*provider
	now       func() time.Time
}

// New builds the module.
func New(d Deps) (*Module, error) {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	pub, err := url.Parse(d.Config.HTTP.PublicURL)
	if err != nil {
		return nil, err
	}
	a := d.Config.Auth
	m := &Module{
		cfg:       a,
		publicURL: pub,
		store:     &store{db: d.DB},
		cache:     d.Cache,
		log:       d.Logger,
		audit:     d.Auditor,
		orgs:      d.Orgs,
		mailer:    d.Mailer,
		hasher:    newHasher(a.Argon2MemoryKiB, a.Argon2Iterations, a.Argon2Parallelism),
		signer:    &tokenSigner{key: deriveKey(d.Config.SecretKey, "access token v1"), ttl: a.AccessTokenTTL.D(), now: now},
		sessions:  newSessions(d.Cache, a.RefreshTokenTTL.D(), a.AccessTokenTTL.D(), d.Logger),
		limiter:   &limiter{c: d.Cache},
		csrfKey:   deriveKey(d.Config.SecretKey, "csrf v1"),
		stateKey:  deriveKey(d.Config.SecretKey, "oauth state v1"),
		secure:    secureCookies(a.SecureCookies, pub),
		now:       now,
	}
	client := d.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	m.providers = newProviders(a, pub, client)
	return m, nil
}

// secureCookies decides the Secure attribute. Browsers accept Secure
// cookies on http://localhost, so only a plain-HTTP install reached by
// another name needs them off.
func secureCookies(setting string, pub *url.URL) bool {
	switch setting {
	case "true":
		return true
	case "false":
		return false
	}
	if pub.Scheme == "https" {
		return true
	}
	host := pub.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Name implements app.Module.
func (m *Module) Name() string { return "auth" }

// RegisterRoutes implements app.RouteModule.
func (m *Module) RegisterRoutes(api *httpx.API) {
	m.authRoutes(api)
	m.userRoutes(api)
}

// Start follows session revocations from every process. It returns once
// this process knows the sessions ended before it started, or after a few
// seconds if Redis is slow.
func (m *Module) Start(ctx context.Context) {
	ready := make(chan struct{})
	go m.sessions.follow(ctx, ready)
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
		m.log.Warn("auth: still loading ended sessions; continuing")
	case <-ctx.Done():
	}
}

func (m *Module) record(ctx context.Context, e app.AuditEvent) {
	if m.audit != nil {
		_ = m.audit.Record(ctx, e)
	}
}

// link builds an absolute link into the web UI.
func (m *Module) link(path string, query url.Values) string {
	u := *m.publicURL
	u.Path = path
	u.RawQuery = query.Encode()
	return u.String()
}
