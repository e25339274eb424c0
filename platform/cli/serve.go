package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/bifrost-automation/bifrost/platform/app"
	"github.com/bifrost-automation/bifrost/platform/buildinfo"
	"github.com/bifrost-automation/bifrost/platform/bus"
	"github.com/bifrost-automation/bifrost/platform/config"
	"github.com/bifrost-automation/bifrost/platform/httpx"
	"github.com/bifrost-automation/bifrost/platform/scheduler"
)

// WebFS is the built web UI (the contents of web/dist).
type WebFS = fs.FS

// ReadyHook, when set on a serve command's context, receives the HTTP
// address once the process serves. Tests use it to find a :0 port.
type readyKey struct{}

// WithReady returns a context whose serve command reports its address to fn.
func WithReady(ctx context.Context, fn func(net.Addr)) context.Context {
	return context.WithValue(ctx, readyKey{}, fn)
}

func (c *commands) serveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run Bifrost: the API and web UI, the worker, the scheduler, or any subset",
		Long: "serve runs the roles named by --roles (default all three) in one process:\n" +
			"  api        the REST API, the OpenAPI document and the web UI\n" +
			"  worker     consumes RabbitMQ: workflow executions, git sync, package installs\n" +
			"  scheduler  periodic jobs; of several scheduler processes one leads at a time\n" +
			"Every process answers /health, /ready and /metrics on http.addr.\n" +
			"SIGINT or SIGTERM stops taking work, lets running work finish, and exits 0.",
		Args: cobra.NoArgs,
		RunE: c.serve,
	}
	cmd.Flags().StringSlice("roles", nil, "roles to run: api,worker,scheduler (roles)")
	cmd.Flags().String("http-addr", "", "listen address, e.g. :8000 (http.addr)")
	return cmd
}

func (c *commands) serve(cmd *cobra.Command, _ []string) error {
	started := time.Now()
	loaded, err := c.load(cmd)
	if err != nil {
		return err
	}
	cfg := loaded.Config
	log := c.logger(loaded)
	fromFile, err := cfg.EnsureSecretKey()
	if err != nil {
		return err
	}
	if fromFile {
		log.Warn("secret_key is not set: using the development key in " + cfg.DataDir + "/" + config.SecretKeyFile + "; set BIFROST_SECRET_KEY for any shared or production install")
	}
	info := buildinfo.Get()
	log.Info("bifrost starting", "version", info.Version, "commit", info.Commit, "roles", cfg.Roles, "pid", os.Getpid())

	// The first SIGINT/SIGTERM starts a graceful shutdown; a second one
	// kills the process at once.
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	role := "serve"
	if len(cfg.Roles) == 1 {
		role = cfg.Roles[0]
	}
	cn, err := connect(ctx, cfg, log, role, true)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	defer cn.close()

	platform := &app.Platform{Config: cfg, Logger: log, DB: cn.db, Cache: cn.cache, Publisher: cn.publisher, Metrics: cn.registry}
	var modules []app.Module
	if c.opts.Modules != nil {
		if modules, err = c.opts.Modules(platform); err != nil {
			return fmt.Errorf("modules: %w", err)
		}
	}

	srv := httpx.New(httpx.Options{
		Config:   cfg.HTTP,
		Logger:   log,
		Registry: cn.registry,
		Roles:    cfg.Roles,
		API:      cfg.HasRole(config.RoleAPI),
		Web:      c.opts.Web,
		Version:  info.Version,
		Checks: []httpx.Check{
			{Name: "database", Ping: cn.db.Ping},
			{Name: "broker", Ping: cn.publisher.Ping},
			{Name: "redis", Ping: cn.cache.Ping},
		},
	})
	for _, m := range modules {
		if bm, ok := m.(app.BackgroundModule); ok {
			bm.Start(ctx)
		}
	}
	if cfg.HasRole(config.RoleAPI) {
		var authn httpx.Authenticator
		var orgs httpx.OrgResolver
		var authz httpx.Authorizer
		for _, m := range modules {
			if a, ok := m.(httpx.Authenticator); ok {
				authn = a
			}
			if o, ok := m.(httpx.OrgResolver); ok {
				orgs = o
			}
			if a, ok := m.(httpx.Authorizer); ok {
				authz = a
			}
		}
		srv.API().SetAuth(authn, orgs, authz)
		for _, m := range modules {
			if rm, ok := m.(app.RouteModule); ok {
				rm.RegisterRoutes(srv.API())
			}
		}
	}

	var router *bus.Router
	var workerStops []func()
	if cfg.HasRole(config.RoleWorker) {
		for _, m := range modules {
			if wm, ok := m.(app.WorkerModule); ok {
				stop, err := wm.StartWorker(ctx)
				if err != nil {
					for _, s := range workerStops {
						s()
					}
					return fmt.Errorf("module %s: %w", m.Name(), err)
				}
				workerStops = append(workerStops, stop)
			}
		}
		if router, err = bus.NewRouter(ctx, cn.busOpts, cn.publisher); err != nil {
			for _, s := range workerStops {
				s()
			}
			return err
		}
		for _, m := range modules {
			if hm, ok := m.(app.HandlerModule); ok {
				if err := hm.RegisterHandlers(router); err != nil {
					return fmt.Errorf("module %s: %w", m.Name(), err)
				}
			}
		}
		if err := router.Run(ctx); err != nil {
			return err
		}
	}

	var sched *scheduler.Scheduler
	if cfg.HasRole(config.RoleScheduler) {
		if sched, err = scheduler.New(scheduler.Options{
			Cache: cn.cache, LeaderTTL: cfg.Scheduler.LeaderTTL.D(), Logger: log, Registry: cn.registry,
		}); err != nil {
			return err
		}
		for _, m := range modules {
			if jm, ok := m.(app.JobModule); ok {
				if err := jm.RegisterJobs(sched); err != nil {
					return fmt.Errorf("module %s: %w", m.Name(), err)
				}
			}
		}
		sched.Start(ctx)
	}

	ready, _ := cmd.Context().Value(readyKey{}).(func(net.Addr))
	httpErr := make(chan error, 1)
	go func() {
		httpErr <- srv.Run(ctx, func(a net.Addr) {
			log.Info("bifrost ready", "addr", a.String(), "startup_ms", time.Since(started).Milliseconds())
			if ready != nil {
				ready(a)
			}
		})
	}()

	select {
	case <-ctx.Done():
	case err := <-httpErr:
		if err != nil {
			stop()
			shutdown(log, router, sched, workerStops)
			return fmt.Errorf("http server: %w", err)
		}
	}
	stop() // a second signal now terminates immediately
	log.Info("shutting down: no new work is taken; running work may finish")
	shutdown(log, router, sched, workerStops)
	if err := <-httpErr; err != nil && !errors.Is(err, context.Canceled) {
		log.Error("http server stopped with an error", "error", err)
	}
	log.Info("bifrost stopped")
	return nil
}

// shutdown stops the scheduler and drains the worker in parallel; the HTTP
// server drains on its own when the serve context ends.
func shutdown(log *slog.Logger, router *bus.Router, sched *scheduler.Scheduler, workerStops []func()) {
	var wg sync.WaitGroup
	if sched != nil {
		wg.Go(func() {
			if err := sched.Shutdown(); err != nil {
				log.Warn("scheduler shutdown", "error", err)
			}
		})
	}
	if router != nil {
		wg.Go(func() {
			if err := router.Shutdown(context.Background()); err != nil {
				log.Warn("worker shutdown", "error", err)
			}
		})
	}
	wg.Wait()
	// What the handlers used (the runner pool) stops once they have drained.
	for _, s := range workerStops {
		s()
	}
}
