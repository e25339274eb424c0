// Package executions owns every run of a workflow: submission (from the
// API, HTTP endpoints, forms and nested workflows.execute() calls), the
// queue message, the worker handler that runs it through the runner pool,
// its stored record and logs, live streams, cancellation, the reconciler
// that makes sure nothing is lost, and retention (DESIGN §7–§9).
package executions

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/bifrost-automation/bifrost/modules/workflows"
	"github.com/bifrost-automation/bifrost/platform/app"
	"github.com/bifrost-automation/bifrost/platform/bus"
	"github.com/bifrost-automation/bifrost/platform/cache"
	"github.com/bifrost-automation/bifrost/platform/config"
	"github.com/bifrost-automation/bifrost/platform/db"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// PermissionRun lets organization users run workflows; PermissionViewAll
// lets them see everyone's executions in their organization.
const (
	PermissionRun     = "workflows.run"
	PermissionViewAll = "executions.view_all"
)

// Registry reads the workflows registry (the workflows module).
type Registry interface {
	Definition(ctx context.Context, kind, name string) (*workflows.Definition, error)
}

// Runner runs a workflow (the worker's runner pool).
type Runner interface {
	Run(ctx context.Context, req workflows.RunRequest) (*workflows.Result, error)
}

// Orgs describes organizations (the orgs module).
type Orgs interface {
	Describe(ctx context.Context, id uuid.UUID) (name string, active bool, err error)
}

// Deps is what the module needs.
type Deps struct {
	Config     config.Config
	DB         *db.DB
	Cache      *cache.Client
	Publisher  *bus.Publisher
	Logger     *slog.Logger
	Auditor    app.Auditor
	Authorizer httpx.Authorizer
	Registry   Registry
	Orgs       Orgs
	// Runner is set in worker processes (the workflows module's pool).
	Runner func() Runner
}

// Module is the executions module.
type Module struct {
	cfg    config.ExecutionsConfig
	db     *db.DB
	store  *store
	cache  *cache.Client
	pub    *bus.Publisher
	log    *slog.Logger
	audit  app.Auditor
	authz  httpx.Authorizer
	reg    Registry
	orgs   Orgs
	runner func() Runner
	hub    *hub
	worker string
	// concurrency is how many executions a worker runs at once (the runner
	// pool's size).
	concurrency int

	mu      sync.Mutex
	running map[uuid.UUID]context.CancelCauseFunc
	// closing ends open streams when the process stops.
	closing <-chan struct{}
}

// New builds the module.
func New(d Deps) *Module {
	host, _ := os.Hostname()
	return &Module{cfg: d.Config.Executions, db: d.DB, store: &store{db: d.DB}, cache: d.Cache, pub: d.Publisher, log: d.Logger,
		audit: d.Auditor, authz: d.Authorizer, reg: d.Registry, orgs: d.Orgs, runner: d.Runner, hub: newHub(),
		worker: host + "/" + strconv.Itoa(os.Getpid()), running: map[uuid.UUID]context.CancelCauseFunc{},
		concurrency: max(d.Config.Workflows.Concurrency, 1)}
}

// Name implements app.Module.
func (m *Module) Name() string { return "executions" }

// RegisterRoutes implements app.RouteModule.
func (m *Module) RegisterRoutes(api *httpx.API) {
	m.routes(api)
	m.endpointRoutes(api)
}

// Start implements app.BackgroundModule: it follows the shared live
// channels (changes for waiters and viewers, cancellation requests).
func (m *Module) Start(ctx context.Context) {
	m.closing = ctx.Done()
	if m.cache == nil {
		return
	}
	ready := make(chan struct{})
	go m.follow(ctx, ready)
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
		m.log.Warn("executions: live updates are not subscribed yet")
	}
}

func (m *Module) record(ctx context.Context, e app.AuditEvent) {
	if m.audit != nil {
		_ = m.audit.Record(ctx, e)
	}
}
