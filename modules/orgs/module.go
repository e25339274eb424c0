// Package orgs owns organizations, roles, their permissions and role
// assignments, and answers which organization a request may act on and
// what a user may do there. It reads users only through the Users
// interface, implemented by the auth module.
package orgs

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/bifrost-automation/bifrost/platform/app"
	"github.com/bifrost-automation/bifrost/platform/cache"
	"github.com/bifrost-automation/bifrost/platform/db"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// Users is what this module needs to know about accounts.
type Users interface {
	// Membership returns a user's organization (nil for a platform admin);
	// found is false when there is no such user.
	Membership(ctx context.Context, userID uuid.UUID) (org *uuid.UUID, found bool, err error)
	// Emails returns the email of each existing user among ids.
	Emails(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error)
}

// Deps is what the module needs.
type Deps struct {
	DB      *db.DB
	Cache   *cache.Client
	Logger  *slog.Logger
	Auditor app.Auditor
}

// Module is the orgs module.
type Module struct {
	store *store
	cache *cache.Client
	log   *slog.Logger
	audit app.Auditor
	users Users
	perms *permCache
}

// New builds the module. Call UseUsers before serving.
func New(d Deps) *Module {
	return &Module{
		store: &store{db: d.DB},
		cache: d.Cache,
		log:   d.Logger,
		audit: d.Auditor,
		perms: &permCache{entries: map[uuid.UUID]permEntry{}, ttl: time.Minute},
	}
}

// UseUsers gives the module its view of accounts (the auth module, which
// itself needs this module, so they are wired after both exist).
func (m *Module) UseUsers(u Users) { m.users = u }

// Name implements app.Module.
func (m *Module) Name() string { return "orgs" }

// RegisterRoutes implements app.RouteModule.
func (m *Module) RegisterRoutes(api *httpx.API) { m.routes(api) }

// channelAuthz carries "a user's permissions changed" between processes.
const channelAuthz = "authz:changed"

// Start keeps the permission cache of this process in step with changes
// made by any process.
func (m *Module) Start(ctx context.Context) {
	if m.cache == nil {
		return
	}
	go func() {
		for ctx.Err() == nil {
			err := m.cache.Subscribe(ctx, []string{channelAuthz}, nil, func(_, msg string) {
				if msg == "*" {
					m.perms.clear()
					return
				}
				if id, err := uuid.Parse(msg); err == nil {
					m.perms.drop(id)
				}
			})
			if ctx.Err() != nil {
				return
			}
			// While unsubscribed, changes could be missed: start afresh.
			m.perms.clear()
			m.log.Warn("orgs: permission change feed interrupted, resubscribing", "error", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
		}
	}()
}

// permissionsChanged drops cached permissions here and in every process.
func (m *Module) permissionsChanged(ctx context.Context, userIDs ...uuid.UUID) {
	if len(userIDs) == 0 {
		m.perms.clear()
	}
	for _, id := range userIDs {
		m.perms.drop(id)
	}
	if m.cache == nil {
		return
	}
	msgs := make([]string, 0, len(userIDs))
	for _, id := range userIDs {
		msgs = append(msgs, id.String())
	}
	if len(msgs) == 0 {
		msgs = []string{"*"}
	}
	for _, msg := range msgs {
		if err := m.cache.Publish(ctx, channelAuthz, msg); err != nil {
			m.log.Warn("orgs: could not announce a permission change; other processes see it within a minute", "error", err)
		}
	}
}

// permCache holds each user's permissions for a minute at most; changes
// clear it at once through channelAuthz.
type permCache struct {
	mu      sync.Mutex
	entries map[uuid.UUID]permEntry
	ttl     time.Duration
}

type permEntry struct {
	perms   map[string]bool
	expires time.Time
}

func (c *permCache) get(id uuid.UUID) (map[string]bool, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[id]
	if !ok || time.Now().After(e.expires) {
		return nil, false
	}
	return e.perms, true
}

func (c *permCache) put(id uuid.UUID, perms []string) map[string]bool {
	set := make(map[string]bool, len(perms))
	for _, p := range perms {
		set[p] = true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) > 100_000 {
		c.entries = map[uuid.UUID]permEntry{}
	}
	c.entries[id] = permEntry{perms: set, expires: time.Now().Add(c.ttl)}
	return set
}

func (c *permCache) drop(id uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, id)
}

func (c *permCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = map[uuid.UUID]permEntry{}
}

// HasPermission implements httpx.Authorizer: an organization user holds a
// permission in their own organization when one of their roles grants it.
func (m *Module) HasPermission(ctx context.Context, p *httpx.Principal, org uuid.UUID, permission string) (bool, error) {
	if p.IsSuperuser {
		return true, nil
	}
	if p.OrganizationID == nil || *p.OrganizationID != org {
		return false, nil
	}
	set, err := m.PermissionsOf(ctx, p.UserID)
	if err != nil {
		return false, err
	}
	return set[permission], nil
}

// PermissionsOf returns the permissions a user's roles grant.
func (m *Module) PermissionsOf(ctx context.Context, userID uuid.UUID) (map[string]bool, error) {
	if set, ok := m.perms.get(userID); ok {
		return set, nil
	}
	perms, err := m.store.permissionsOf(ctx, userID)
	if err != nil {
		return nil, err
	}
	return m.perms.put(userID, perms), nil
}

// OrganizationExists implements httpx.OrgResolver.
func (m *Module) OrganizationExists(ctx context.Context, id uuid.UUID) (bool, error) {
	return m.store.orgExists(ctx, id)
}

// normalizeDomain lower-cases a domain and drops a leading @.
func normalizeDomain(d string) string {
	return strings.TrimPrefix(strings.ToLower(strings.TrimSpace(d)), "@")
}
