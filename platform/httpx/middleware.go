package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bifrost-automation/bifrost/platform/errs"
)

// HeaderRequestID carries the request id both ways.
const HeaderRequestID = "X-Request-Id"

type ctxKey int

const (
	requestIDKey ctxKey = iota
	clientKey
)

// ClientInfo describes who sent a request, for audit records and rate
// limits.
type ClientInfo struct {
	IP        string
	UserAgent string
	RequestID string
}

// WithClient returns ctx carrying client information (for work done on a
// request's behalf outside the HTTP stack, and tests).
func WithClient(ctx context.Context, c ClientInfo) context.Context {
	return context.WithValue(ctx, clientKey, c)
}

// ClientFrom returns the client of the request ctx belongs to; empty
// outside requests.
func ClientFrom(ctx context.Context) ClientInfo {
	c, _ := ctx.Value(clientKey).(ClientInfo)
	return c
}

// validRequestID accepts ids a proxy or client might send; anything else is
// replaced so logs cannot be forged or flooded.
var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// RequestID returns the id of the request being handled.
func RequestID(c *echo.Context) string {
	return RequestIDFrom(c.Request().Context())
}

// RequestIDFrom returns the request id stored in ctx, if any.
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// requestID takes the incoming X-Request-Id when it is sane, or makes one,
// and puts it in the request context and the response.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		req := c.Request()
		id := req.Header.Get(HeaderRequestID)
		if !validRequestID.MatchString(id) {
			id = newRequestID()
		}
		info := ClientInfo{IP: c.RealIP(), UserAgent: req.UserAgent(), RequestID: id}
		ctx := context.WithValue(context.WithValue(req.Context(), requestIDKey, id), clientKey, info)
		c.SetRequest(req.WithContext(ctx))
		c.Response().Header().Set(HeaderRequestID, id)
		return next(c)
	}
}

// recoverer turns a panic into a 500 with no internal detail; the panic and
// its stack go to the log.
func recoverer(logger *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) (err error) {
			defer func() {
				if p := recover(); p != nil {
					if p == http.ErrAbortHandler {
						panic(p)
					}
					logger.Error("panic while handling request",
						"request_id", RequestID(c), "method", c.Request().Method, "path", c.Request().URL.Path,
						"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
					err = errs.Internal(fmt.Errorf("panic: %v", p))
				}
			}()
			return next(c)
		}
	}
}

// accessLog writes one structured line per request. Probes and metrics
// scrapes are logged at debug level so they do not drown the rest.
func accessLog(logger *slog.Logger, onError echo.HTTPErrorHandler) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			start := time.Now()
			err := next(c)
			req := c.Request()
			status := responseStatus(c, err)
			if err != nil {
				// Write the error here, so the line below counts its bytes.
				onError(c, err)
				err = nil
			}
			var size int64
			if r, _ := echo.UnwrapResponse(c.Response()); r != nil {
				size = r.Size
			}
			level := slog.LevelInfo
			switch req.URL.Path {
			case "/health", "/ready", "/metrics":
				level = slog.LevelDebug
			}
			if status >= 500 {
				level = slog.LevelError
			}
			if status == statusClientClosed {
				level = slog.LevelDebug
			}
			logger.LogAttrs(req.Context(), level, "http request",
				slog.String("request_id", RequestID(c)),
				slog.String("method", req.Method),
				slog.String("path", req.URL.Path),
				slog.String("route", routeLabel(c)),
				slog.Int("status", status),
				slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
				slog.Int64("bytes", size),
				slog.String("remote_ip", c.RealIP()),
				slog.String("user_agent", req.UserAgent()),
			)
			return err
		}
	}
}

// Metrics are the HTTP server's Prometheus metrics.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inflight prometheus.Gauge
}

// NewMetrics creates and registers the HTTP metrics.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bifrost_http_requests_total",
			Help: "HTTP requests, by method, route and status code.",
		}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "bifrost_http_request_duration_seconds",
			Help:    "HTTP request latency, by method and route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "bifrost_http_requests_in_flight",
			Help: "HTTP requests being served.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.duration, m.inflight)
	}
	return m
}

func (m *Metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		start := time.Now()
		m.inflight.Inc()
		defer m.inflight.Dec()
		err := next(c)
		status := responseStatus(c, err)
		route := routeLabel(c)
		method := c.Request().Method
		m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
		m.duration.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
		return err
	}
}

// statusClientClosed marks a request the client abandoned (nginx's 499):
// nothing was sent and nothing went wrong on our side.
const statusClientClosed = 499

// responseStatus is the status the request ended with; the error handler
// has not run yet, so an error's status is worked out the way it will be.
func responseStatus(c *echo.Context, err error) int {
	if err != nil && errors.Is(err, context.Canceled) && c.Request().Context().Err() != nil {
		return statusClientClosed
	}
	_, status := echo.ResolveResponseStatus(c.Response(), err)
	if err != nil {
		status = toError(c, err).StatusCode()
	}
	return status
}

// routeLabel is the matched route template, never the raw path, so metric
// labels stay bounded.
func routeLabel(c *echo.Context) string {
	p := c.Path()
	if p == "" {
		return "unmatched"
	}
	return p
}

// contentSecurityPolicy allows only the server's own resources. The web UI
// needs inline styles (React sets style attributes); no inline scripts.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; " +
	"frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

// securityHeaders sets the headers browsers use to contain what a page can
// do. HSTS is sent only when the public URL is HTTPS, so a plain-HTTP
// development server does not pin itself.
func securityHeaders(hsts bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			h := c.Response().Header()
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Cross-Origin-Resource-Policy", "same-origin")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
			h.Set("Content-Security-Policy", contentSecurityPolicy)
			if hsts {
				h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
			}
			return next(c)
		}
	}
}

// noStore keeps API responses, which may hold tenant data, out of caches.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		if strings.HasPrefix(c.Request().URL.Path, "/api/") {
			c.Response().Header().Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}
