package cli

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"github.com/bifrost-automation/bifrost/migrations"
	"github.com/bifrost-automation/bifrost/platform/app"
	"github.com/bifrost-automation/bifrost/platform/buildinfo"
	"github.com/bifrost-automation/bifrost/platform/bus"
	"github.com/bifrost-automation/bifrost/platform/cache"
	"github.com/bifrost-automation/bifrost/platform/config"
	"github.com/bifrost-automation/bifrost/platform/db"
)

// hint tells an operator how to bring a missing server up.
var hint = map[string]string{
	"PostgreSQL": "is PostgreSQL running and database.url right? (locally: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)",
	"RabbitMQ":   "is RabbitMQ running and rabbitmq.url right? (locally: rabbitmq-server -detached)",
	"Redis":      "is Redis running and redis.url right? (locally: redis-server --daemonize yes)",
}

// retry calls fn until it succeeds or the startup timeout passes, logging
// while it waits, so processes started together with their servers (compose,
// a reboot) do not fail on the first try.
func retry(ctx context.Context, log *slog.Logger, timeout time.Duration, what string, fn func(ctx context.Context) error) error {
	deadline := time.Now().Add(timeout)
	wait := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := fn(actx)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().Add(wait).After(deadline) {
			return fmt.Errorf("%s is unreachable after %s: %w\n%s", what, timeout, err, hint[what])
		}
		if attempt == 1 {
			log.Warn("waiting for "+what, "error", err, "timeout", timeout.String())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		if wait < 2*time.Second {
			wait *= 2
		}
	}
}

// connections are the platform's clients; close releases them in reverse.
type connections struct {
	db        *db.DB
	cache     *cache.Client
	publisher *bus.Publisher
	registry  *prometheus.Registry
	busOpts   bus.Options
}

func (cn *connections) close() {
	if cn.publisher != nil {
		_ = cn.publisher.Close()
	}
	if cn.cache != nil {
		cn.cache.Close()
	}
	if cn.db != nil {
		_ = cn.db.Close()
	}
}

func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	info := buildinfo.Get()
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "bifrost_build_info",
		Help:        "Always 1; labels say which build is running.",
		ConstLabels: prometheus.Labels{"version": info.Version, "commit": info.Commit, "go_version": info.GoVersion},
	})
	build.Set(1)
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), build)
	return reg
}

// connect opens PostgreSQL, Redis and RabbitMQ, waiting for each up to the
// startup timeout, and checks the database schema is current.
func connect(ctx context.Context, cfg config.Config, log *slog.Logger, role string, withBroker bool) (*connections, error) {
	cn := &connections{registry: newRegistry()}
	ok := false
	defer func() {
		if !ok {
			cn.close()
		}
	}()
	timeout := cfg.StartupTimeout.D()

	if cfg.Database.AutoMigrate {
		if err := retry(ctx, log, timeout, "PostgreSQL", func(ctx context.Context) error {
			created, err := db.EnsureDatabase(ctx, cfg.Database.URL)
			if created {
				log.Info("database created", "database", mustDBName(cfg.Database.URL))
			}
			return err
		}); err != nil {
			return nil, err
		}
	}
	d, err := db.Open(dbOptions(cfg, role))
	if err != nil {
		return nil, err
	}
	cn.db = d
	if err := retry(ctx, log, timeout, "PostgreSQL", d.Ping); err != nil {
		hintErr := err
		if missingDatabase(err) {
			hintErr = fmt.Errorf("database %q does not exist: run `bifrost migrate up`, which creates it", mustDBName(cfg.Database.URL))
		}
		return nil, hintErr
	}
	m, err := db.NewMigrator(d, migrations.FS)
	if err != nil {
		return nil, err
	}
	if cfg.Database.AutoMigrate {
		applied, err := m.Up(ctx)
		if err != nil {
			return nil, err
		}
		if len(applied) > 0 {
			log.Info("migrations applied", "migrations", applied)
		}
	} else {
		pending, err := m.Pending(ctx)
		if err != nil {
			return nil, err
		}
		if len(pending) > 0 {
			return nil, fmt.Errorf("the database schema is behind this binary (%d pending migrations: %v): run `bifrost migrate up`, or set database.auto_migrate", len(pending), pending)
		}
	}

	c, err := cache.New(cache.Options{URL: cfg.Redis.URL, Prefix: cfg.Redis.Prefix})
	if err != nil {
		return nil, err
	}
	cn.cache = c
	if err := retry(ctx, log, timeout, "Redis", c.Ping); err != nil {
		return nil, err
	}

	if !withBroker {
		ok = true
		return cn, nil
	}
	cn.busOpts = bus.Options{
		URL:             cfg.RabbitMQ.URL,
		Prefix:          cfg.RabbitMQ.Prefix,
		Prefetch:        cfg.RabbitMQ.Prefetch,
		PublishTimeout:  cfg.RabbitMQ.PublishTimeout.D(),
		MaxRetries:      cfg.RabbitMQ.MaxRetries,
		RetryInterval:   cfg.RabbitMQ.RetryInterval.D(),
		RetryMaxBackoff: cfg.RabbitMQ.RetryMaxBackoff.D(),
		DrainTimeout:    cfg.RabbitMQ.DrainTimeout.D(),
		Name:            brokerConnectionName(role, cfg.RabbitMQ.Prefix),
		Logger:          log,
		Metrics:         bus.NewMetrics(cn.registry),
	}
	if err := retry(ctx, log, timeout, "RabbitMQ", func(ctx context.Context) error {
		p, err := bus.NewPublisher(ctx, cn.busOpts)
		if err != nil {
			return err
		}
		cn.publisher = p
		return nil
	}); err != nil {
		return nil, err
	}
	ok = true
	return cn, nil
}

// brokerConnectionName is how RabbitMQ's management UI and rabbitmqctl
// name this process's connections: its roles, and the prefix when several
// installations share a broker.
func brokerConnectionName(role, prefix string) string {
	if prefix == "" {
		return "bifrost " + role
	}
	return "bifrost " + role + " [" + prefix + "]"
}

func dbOptions(cfg config.Config, role string) db.Options {
	return db.Options{
		URL:             cfg.Database.URL,
		MaxOpenConns:    cfg.Database.MaxOpenConns,
		MaxIdleConns:    cfg.Database.MaxIdleConns,
		ConnMaxLifetime: cfg.Database.ConnMaxLifetime.D(),
		ConnMaxIdleTime: cfg.Database.ConnMaxIdleTime.D(),
		ApplicationName: "bifrost " + role,
	}
}

func missingDatabase(err error) bool {
	pg, ok := db.PgError(err)
	return ok && pg.Code == "3D000"
}

func mustDBName(u string) string {
	n, _ := db.DatabaseName(u)
	return n
}

// open builds the platform for a module command.
func (c *commands) open(cmd *cobra.Command) (*app.Platform, func(), error) {
	loaded, err := c.load(cmd)
	if err != nil {
		return nil, nil, err
	}
	cfg := loaded.Config
	log := c.logger(loaded)
	if _, err := cfg.EnsureSecretKey(); err != nil {
		return nil, nil, err
	}
	cn, err := connect(cmd.Context(), cfg, log, "cli", false)
	if err != nil {
		return nil, nil, err
	}
	p := &app.Platform{Config: cfg, Logger: log, DB: cn.db, Cache: cn.cache, Publisher: cn.publisher, Metrics: cn.registry}
	return p, cn.close, nil
}
