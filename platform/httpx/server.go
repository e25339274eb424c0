// Package httpx is Bifrost's HTTP server (echo): middleware, RFC 9457 error
// responses, health and metrics endpoints, the route registry that is also
// the OpenAPI document, and the embedded web UI. It holds no domain logic
// and imports only platform packages.
package httpx

import (
	"context"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/bifrost-automation/bifrost/platform/config"
)

// Options configures the server.
type Options struct {
	Config   config.HTTPConfig
	Logger   *slog.Logger
	Registry *prometheus.Registry
	// Checks are the dependencies /ready probes.
	Checks []Check
	// Roles are reported by /ready.
	Roles []string
	// API enables /api and the web UI; without it the server answers only
	// /health, /ready and /metrics (worker and scheduler processes).
	API bool
	// Web is the built UI (web/dist); nil serves a page saying it is not built.
	Web     fs.FS
	Version string
}

// Server is the HTTP server of one process.
type Server struct {
	opts   Options
	e      *echo.Echo
	api    *API
	log    *slog.Logger
	sealed bool
}

// New builds the server with the platform's routes; modules add theirs
// through API before Run.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	log := opts.Logger.With("component", "http")
	onError := errorHandler(log)
	e := echo.NewWithConfig(echo.Config{
		Logger:           log,
		HTTPErrorHandler: onError,
		IPExtractor:      ipExtractor(opts.Config.TrustedProxies),
	})
	s := &Server{opts: opts, e: e, log: log}
	s.api = newAPI(e, DocInfo{
		Title:   "Bifrost API",
		Version: opts.Version,
		Description: "The REST API of Bifrost, the automation platform for MSPs. " +
			"Errors are application/problem+json with a stable `code`.",
	})

	metrics := NewMetrics(opts.Registry)
	hsts := false
	if u, err := url.Parse(opts.Config.PublicURL); err == nil && u.Scheme == "https" {
		hsts = true
	}
	e.Use(requestID, accessLog(log, onError), metrics.middleware, securityHeaders(hsts), noStore)
	if len(opts.Config.CORSOrigins) > 0 {
		// Only listed origins may call the API from a browser, with cookies.
		e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
			AllowOrigins:     opts.Config.CORSOrigins,
			AllowCredentials: true,
			AllowHeaders:     []string{"Authorization", "Content-Type", "X-Organization-Id", "X-CSRF-Token", HeaderRequestID, "Last-Event-ID"},
			ExposeHeaders:    []string{HeaderRequestID, "Retry-After"},
			MaxAge:           600,
		}))
	}
	e.Use(middleware.BodyLimit(int64(opts.Config.BodyLimit)), recoverer(log))

	h := &health{checks: opts.Checks, timeout: opts.Config.ReadyTimeout.D(), version: opts.Version, roles: opts.Roles, log: log}
	h.register(s.api)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(opts.Registry, promhttp.HandlerOpts{})))
	if opts.API {
		registerDocs(s.api)
	}
	return s
}

func ipExtractor(trusted []string) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	var opts []echo.TrustOption
	for _, t := range trusted {
		if _, n, err := net.ParseCIDR(t); err == nil {
			opts = append(opts, echo.TrustIPRange(n))
		} else if ip := net.ParseIP(t); ip != nil {
			bits := 32
			if ip.To4() == nil {
				bits = 128
			}
			opts = append(opts, echo.TrustIPRange(&net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)}))
		}
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// API returns the route registry modules add their routes to.
func (s *Server) API() *API { return s.api }

// Echo returns the underlying echo instance.
func (s *Server) Echo() *echo.Echo { return s.e }

// Handler returns the server as an http.Handler (for tests), with the
// catch-all routes in place.
func (s *Server) Handler() http.Handler {
	s.seal()
	return s.e
}

// seal adds the routes that must come last: a problem+json 404 for unknown
// /api paths, and the web UI for everything else.
func (s *Server) seal() {
	if s.sealed {
		return
	}
	s.sealed = true
	notFound := func(c *echo.Context) error { return echo.ErrNotFound }
	// Echo's catch-all answers before its method check, so an /api path that
	// exists with other methods is told apart here: 405 with Allow.
	match := s.api.methodMatcher()
	s.e.RouteNotFound("/api/*", func(c *echo.Context) error {
		if allowed := match(c.Request().URL.Path); len(allowed) > 0 {
			c.Response().Header().Set("Allow", strings.Join(allowed, ", "))
			return echo.ErrMethodNotAllowed
		}
		return echo.ErrNotFound
	})
	s.e.RouteNotFound("/*", notFound)
	if s.opts.API {
		web := webHandler(s.opts.Web)
		gz := middleware.GzipWithConfig(middleware.GzipConfig{MinLength: 1024})
		s.e.GET("/*", web, gz)
		s.e.HEAD("/*", web, gz)
	}
}

// Run serves on the configured address until ctx ends, then stops taking
// connections and waits up to the shutdown timeout for requests in flight.
// ready, if set, receives the bound address (useful with port 0).
func (s *Server) Run(ctx context.Context, ready func(net.Addr)) error {
	s.seal()
	cfg := s.opts.Config
	sc := echo.StartConfig{
		Address:         cfg.Addr,
		HideBanner:      true,
		HidePort:        true,
		GracefulTimeout: cfg.ShutdownTimeout.D(),
		ListenerAddrFunc: func(a net.Addr) {
			s.log.Info("http server listening", "addr", a.String())
			if ready != nil {
				ready(a)
			}
		},
		BeforeServeFunc: func(hs *http.Server) error {
			hs.ReadHeaderTimeout = cfg.ReadHeaderTimeout.D()
			hs.ReadTimeout = cfg.ReadTimeout.D()
			// No write timeout: live streams (SSE) stay open for minutes.
			hs.WriteTimeout = 0
			hs.IdleTimeout = cfg.IdleTimeout.D()
			hs.MaxHeaderBytes = 1 << 20
			return nil
		},
		OnShutdownError: func(err error) {
			s.log.Warn("http server: requests still running at the shutdown timeout were cut off", "error", err)
		},
	}
	start := time.Now()
	err := sc.Start(ctx, s.e)
	if err == nil {
		s.log.Info("http server stopped", "after", time.Since(start).Round(time.Millisecond).String())
	}
	return err
}
