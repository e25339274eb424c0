// Package integrations owns the OAuth connections workflows use to call
// other services (Microsoft Graph, HaloPSA, …): their settings, the
// authorization-code, client-credentials and refresh-token flows, and the
// tokens, stored encrypted through the secrets module's vault and kept
// fresh. Of all processes, at most one refreshes a connection at a time.
package integrations

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/singleflight"

	"github.com/bifrost-automation/bifrost/modules/secrets"
	"github.com/bifrost-automation/bifrost/platform/app"
	"github.com/bifrost-automation/bifrost/platform/cache"
	"github.com/bifrost-automation/bifrost/platform/config"
	"github.com/bifrost-automation/bifrost/platform/crypto"
	"github.com/bifrost-automation/bifrost/platform/db"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// PermissionManage lets organization users manage their organization's
// integrations.
const PermissionManage = "integrations.manage"

// Vault encrypts tokens and client secrets (the secrets module's vault).
type Vault interface {
	Seal(ctx context.Context, org *uuid.UUID, aad string, plaintext []byte) (secrets.SealedValue, error)
	Open(ctx context.Context, org *uuid.UUID, aad string, s secrets.SealedValue) ([]byte, error)
}

// Deps is what the module needs.
type Deps struct {
	Config     config.Config
	DB         *db.DB
	Cache      *cache.Client
	Logger     *slog.Logger
	Auditor    app.Auditor
	Vault      Vault
	Authorizer httpx.Authorizer
	// HTTPClient calls the providers' token endpoints and test URLs; nil is
	// a client with timeouts that refuses internal addresses unless
	// integrations.allow_private_networks (or allow_http) is on.
	HTTPClient *http.Client
	Now        func() time.Time
}

// Module is the integrations module.
type Module struct {
	db        *db.DB
	cache     *cache.Client
	log       *slog.Logger
	audit     app.Auditor
	vault     Vault
	authz     httpx.Authorizer
	client    *http.Client
	now       func() time.Time
	publicURL *url.URL
	margin    time.Duration
	allowHTTP bool
	stateKey  []byte
	locker    *cache.Locker
	flight    singleflight.Group
}

// New builds the module.
func New(d Deps) (*Module, error) {
	pub, err := url.Parse(d.Config.HTTP.PublicURL)
	if err != nil {
		return nil, err
	}
	now := d.Now
	if now == nil {
		now = time.Now
	}
	client := d.HTTPClient
	if client == nil {
		client = providerClient(d.Config.Integrations.AllowPrivateNetworks || d.Config.Integrations.AllowHTTP)
	}
	m := &Module{
		db: d.DB, cache: d.Cache, log: d.Logger, audit: d.Auditor, vault: d.Vault, authz: d.Authorizer,
		client: client, now: now, publicURL: pub, margin: d.Config.Integrations.RefreshMargin.D(),
		allowHTTP: d.Config.Integrations.AllowHTTP,
		stateKey:  crypto.Derive(d.Config.SecretKey, "integration oauth state v1"),
	}
	if d.Cache != nil {
		// A lock lives while its holder refreshes; if the holder dies, the
		// next process may refresh after 30 s.
		if m.locker, err = d.Cache.NewLocker("integrations", 30*time.Second); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Name implements app.Module.
func (m *Module) Name() string { return "integrations" }

// RegisterRoutes implements app.RouteModule.
func (m *Module) RegisterRoutes(api *httpx.API) { m.routes(api) }

func (m *Module) record(ctx context.Context, e app.AuditEvent) {
	if m.audit != nil {
		_ = m.audit.Record(ctx, e)
	}
}

// require checks the module's permission for calls that do not come
// through a route.
func (m *Module) require(ctx context.Context) error {
	return httpx.Require(ctx, m.authz, PermissionManage)
}
