// Package workflows owns the Python side of Bifrost: the SDK embedded in
// the binary, discovery of the workspace's workflows and data providers
// (stored in the workflows registry, so the api lists them without Python),
// and the runner pool, a warm zygote each run is a fork of (DESIGN §8).
// Runs reach config, secrets and integrations through small interfaces
// main.go fills in.
package workflows

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/bifrost-automation/bifrost/platform/cache"
	"github.com/bifrost-automation/bifrost/platform/config"
	"github.com/bifrost-automation/bifrost/platform/db"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// PermissionRun lets organization users see and run workflows.
const PermissionRun = "workflows.run"

// refreshChannel is where the api asks workers to scan the workspace again.
const refreshChannel = "workflows:refresh"

// Deps is what the module needs.
type Deps struct {
	Config   config.Config
	DB       *db.DB
	Cache    *cache.Client
	Logger   *slog.Logger
	Services Services
}

// Module is the workflows module.
type Module struct {
	cfg      config.Config
	db       *db.DB
	store    *store
	cache    *cache.Client
	log      *slog.Logger
	services Services
	pool     *Pool
}

// New builds the module.
func New(d Deps) *Module {
	return &Module{cfg: d.Config, db: d.DB, store: &store{db: d.DB}, cache: d.Cache, log: d.Logger, services: d.Services}
}

// Name implements app.Module.
func (m *Module) Name() string { return "workflows" }

// RegisterRoutes implements app.RouteModule.
func (m *Module) RegisterRoutes(api *httpx.API) { m.routes(api) }

// PoolOptions are the runner pool's settings from the configuration.
func (m *Module) PoolOptions() PoolOptions {
	c := m.cfg.Workflows
	return PoolOptions{
		Python: c.Python, Workspace: m.cfg.Workspace.Path, CacheDir: filepath.Join(m.cfg.DataDir, "python"),
		UploadsDir: filepath.Join(m.cfg.DataDir, "uploads"), Concurrency: c.Concurrency, MemoryLimit: int64(c.MemoryLimit),
		KillGrace: c.KillGrace.D(), WatchInterval: c.WatchInterval.D(), Services: m.services, Logger: m.log,
	}
}

// StartWorker implements app.WorkerModule: it starts the runner pool,
// stores each registry it loads, and rescans when asked on Redis.
func (m *Module) StartWorker(ctx context.Context) (func(), error) {
	opts := m.PoolOptions()
	host, _ := os.Hostname()
	by := host + "/" + strconv.Itoa(os.Getpid())
	opts.OnRegistry = func(reg *Registry) {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if changed, err := m.store.save(sctx, reg, by); err != nil {
			m.log.Error("workflows: store the registry", "error", err)
		} else if changed {
			m.log.Info("workflows: registry updated", "workflows", len(reg.Workflows), "data_providers", len(reg.DataProviders), "errors", len(reg.Errors))
		}
	}
	m.pool = NewPool(opts)
	if err := m.pool.Start(ctx); err != nil {
		return nil, err
	}
	if m.cache != nil {
		subCtx, cancel := context.WithCancel(ctx)
		ready := make(chan struct{})
		go func() {
			first := ready
			for subCtx.Err() == nil {
				err := m.cache.Subscribe(subCtx, []string{refreshChannel}, first, func(string, string) { m.pool.Reload() })
				first = nil
				if subCtx.Err() != nil {
					return
				}
				m.log.Warn("workflows: refresh requests: subscribe again", "error", err)
				select {
				case <-subCtx.Done():
				case <-time.After(time.Second):
				}
			}
		}()
		select {
		case <-ready:
		case <-time.After(5 * time.Second):
		}
		return func() { cancel(); m.pool.Stop() }, nil
	}
	return m.pool.Stop, nil
}

// Definition returns a workflow or data provider from the registry
// (not found is errs.NotFound).
func (m *Module) Definition(ctx context.Context, kind, name string) (*Definition, error) {
	return m.store.get(ctx, kind, name)
}

// UseServices sets the services runs reach; main.go calls it once every
// module is built (the executions module needs this one first).
func (m *Module) UseServices(s Services) { m.services = s }

// Pool is the worker's runner pool (nil outside the worker role).
func (m *Module) Pool() *Pool { return m.pool }
