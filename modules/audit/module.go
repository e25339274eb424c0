// Package audit owns the audit log: what users did, written by every module
// through app.Auditor, and read by admins. It imports no other module.
package audit

import (
	"log/slog"

	"github.com/bifrost-automation/bifrost/platform/db"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// Deps is what the module needs.
type Deps struct {
	DB     *db.DB
	Logger *slog.Logger
}

// Module is the audit module.
type Module struct {
	store *store
	log   *slog.Logger
}

// New builds the module.
func New(d Deps) *Module {
	return &Module{store: &store{db: d.DB}, log: d.Logger}
}

// Name implements app.Module.
func (m *Module) Name() string { return "audit" }

// RegisterRoutes implements app.RouteModule.
func (m *Module) RegisterRoutes(api *httpx.API) { m.routes(api) }
