package httpx

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v5"
)

// Check probes one dependency for /ready.
type Check struct {
	// Name is how /ready reports it: database, broker, redis.
	Name string
	Ping func(ctx context.Context) error
}

// ComponentStatus is one dependency's state.
type ComponentStatus struct {
	Status    string  `json:"status" enum:"ok,unavailable" doc:"ok when the dependency answered in time."`
	LatencyMS float64 `json:"latency_ms" doc:"How long the check took, in milliseconds."`
	Error     string  `json:"error,omitempty" doc:"Why the dependency is unavailable: timeout or unreachable."`
}

// ReadyResponse is the body of /ready, with status 200 or 503.
type ReadyResponse struct {
	Status     string                     `json:"status" enum:"ok,unavailable" doc:"ok when every component is ok."`
	Version    string                     `json:"version" doc:"The server version."`
	Roles      []string                   `json:"roles" doc:"The roles this process runs: api, worker, scheduler."`
	Components map[string]ComponentStatus `json:"components" doc:"Each dependency by name: database, broker, redis."`
}

// HealthResponse is the body of /health.
type HealthResponse struct {
	Status string `json:"status" enum:"ok"`
}

type health struct {
	checks  []Check
	timeout time.Duration
	version string
	roles   []string
	log     *slog.Logger
}

func (h *health) register(api *API) {
	Handle(api, Route{
		Method: http.MethodGet, Path: "/health", OperationID: "getHealth", Tags: []string{"system"}, Public: true,
		Summary:     "Liveness",
		Description: "200 while the process is alive. It checks nothing else, so an orchestrator does not restart a process because a dependency is down.",
	}, func(c *echo.Context, _ *Empty) (*HealthResponse, error) {
		return &HealthResponse{Status: "ok"}, nil
	})
	api.Add(Route{
		Method: http.MethodGet, Path: "/ready", OperationID: "getReady", Tags: []string{"system"}, Public: true,
		Summary:     "Readiness",
		Description: "Checks PostgreSQL, RabbitMQ and Redis with short timeouts, in parallel. 200 when all answer; 503 with the same body naming what failed otherwise.",
		Output:      ReadyResponse{}, Errors: []int{http.StatusServiceUnavailable},
		Handler: h.ready,
	})
}

func (h *health) ready(c *echo.Context) error {
	res := h.probe(c.Request().Context())
	status := http.StatusOK
	if res.Status != "ok" {
		status = http.StatusServiceUnavailable
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(status, res)
}

// probe runs every check in parallel, each under its own timeout.
func (h *health) probe(ctx context.Context) ReadyResponse {
	res := ReadyResponse{Status: "ok", Version: h.version, Roles: h.roles, Components: map[string]ComponentStatus{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, chk := range h.checks {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, h.timeout)
			defer cancel()
			start := time.Now()
			err := chk.Ping(cctx)
			st := ComponentStatus{Status: "ok", LatencyMS: float64(time.Since(start).Microseconds()) / 1000}
			if err != nil {
				st.Status = "unavailable"
				// Only a coarse reason leaves the process; the detail is logged.
				st.Error = "unreachable"
				if errors.Is(err, context.DeadlineExceeded) || cctx.Err() != nil {
					st.Error = "timeout"
				}
				h.log.Warn("readiness check failed", "component", chk.Name, "error", err)
			}
			mu.Lock()
			res.Components[chk.Name] = st
			if err != nil {
				res.Status = "unavailable"
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	return res
}
