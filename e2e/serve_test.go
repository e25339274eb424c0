package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/platform/httpx"
	"github.com/bifrost-automation/bifrost/platform/testenv"
)

func TestServeAllRolesThenStopsCleanlyOnSignal(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	e.DB = nil // serve creates and migrates its own database
	dbURL := testenv.UnusedDatabase(t)
	p := start(t, environ(t, e, "BIFROST_DATABASE_URL="+dbURL, "BIFROST_DATABASE_AUTO_MIGRATE=true"), "serve")
	base := p.url()

	var ready httpx.ReadyResponse
	require.Equal(t, http.StatusOK, getJSON(t, base+"/ready", &ready))
	require.Equal(t, "ok", ready.Status)
	require.Equal(t, []string{"api", "worker", "scheduler"}, ready.Roles)
	for _, c := range []string{"database", "broker", "redis"} {
		require.Equal(t, "ok", ready.Components[c].Status, c)
	}
	require.Equal(t, "v0.0.0-e2e", ready.Version)

	resp, err := http.Get(base + "/api/openapi.json")
	require.NoError(t, err)
	doc, err := openapi3.NewLoader().LoadFromIoReader(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))

	resp, err = http.Get(base + "/")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	p.signal(syscall.SIGINT)
	start := time.Now()
	require.Equal(t, 0, p.wait(10*time.Second), "Ctrl-C exits 0")
	require.Less(t, time.Since(start), 5*time.Second, "and quickly")
	require.Contains(t, p.output(), "bifrost stopped")
}

func TestAPIAndWorkerSchedulerRunAsTwoProcesses(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	api := start(t, environ(t, e), "serve", "--roles=api")
	jobs := start(t, environ(t, e), "serve", "--roles", "worker,scheduler")
	apiURL, jobsURL := api.url(), jobs.url()

	var r httpx.ReadyResponse
	require.Equal(t, http.StatusOK, getJSON(t, apiURL+"/ready", &r))
	require.Equal(t, []string{"api"}, r.Roles)
	require.Equal(t, http.StatusOK, getJSON(t, jobsURL+"/ready", &r))
	require.Equal(t, []string{"worker", "scheduler"}, r.Roles)
	require.Equal(t, "ok", r.Status)

	require.Equal(t, http.StatusOK, getJSON(t, apiURL+"/api/openapi.json", nil))
	require.Equal(t, http.StatusNotFound, getJSON(t, jobsURL+"/api/openapi.json", nil), "the worker process serves no API")
	require.Equal(t, http.StatusOK, getJSON(t, jobsURL+"/metrics", nil))
	require.Eventually(t, func() bool {
		return strings.Contains(jobs.output(), "this process is now the leader")
	}, 10*time.Second, 50*time.Millisecond, "the scheduler runs in the jobs process")

	api.signal(syscall.SIGTERM)
	jobs.signal(syscall.SIGTERM)
	require.Equal(t, 0, api.wait(10*time.Second))
	require.Equal(t, 0, jobs.wait(10*time.Second))
}

func TestReadyIs503NamingRedisWhileRedisIsUnreachable(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u, err := url.Parse(e.Redis.URL)
	require.NoError(t, err)
	proxy := testenv.NewProxy(t, u.Host)
	p := start(t, environ(t, e, "BIFROST_REDIS_URL=redis://"+proxy.Addr+"/0", "BIFROST_HTTP_READY_TIMEOUT=500ms"), "serve", "--roles=api")
	base := p.url()
	require.Equal(t, http.StatusOK, getJSON(t, base+"/ready", nil))

	proxy.Cut()
	var r httpx.ReadyResponse
	require.Equal(t, http.StatusServiceUnavailable, getJSON(t, base+"/ready", &r))
	require.Equal(t, "unavailable", r.Status)
	require.Equal(t, "unavailable", r.Components["redis"].Status, "names what failed")
	require.NotEmpty(t, r.Components["redis"].Error)
	require.Equal(t, "ok", r.Components["database"].Status)
	require.Equal(t, "ok", r.Components["broker"].Status)
	require.Equal(t, http.StatusOK, getJSON(t, base+"/health", nil), "the process is still alive")

	proxy.Restore()
	require.Eventually(t, func() bool { return getJSON(t, base+"/ready", nil) == http.StatusOK },
		15*time.Second, 100*time.Millisecond, "ready again once Redis is back")
}

func TestServeRefusesAnOutdatedSchema(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	out, code := run(t, environ(t, e, "BIFROST_DATABASE_URL="+testenv.EmptyDatabase(t)), "serve")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "pending migrations")
	require.Contains(t, out, "bifrost migrate up")
}

func TestServeExplainsAnUnreachableServer(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	out, code := run(t, environ(t, e, "BIFROST_RABBITMQ_URL=amqp://guest:guest@127.0.0.1:1/", "BIFROST_STARTUP_TIMEOUT=1s"), "serve")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "RabbitMQ is unreachable after 1s")
	require.Contains(t, out, "rabbitmq-server -detached")
}

func TestMigrateCommands(t *testing.T) {
	t.Parallel()
	dbURL := testenv.UnusedDatabase(t)
	env := []string{"BIFROST_DATABASE_URL=" + dbURL}

	out, code := run(t, env, "migrate", "status")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "does not exist: run `bifrost migrate up`")

	// Two concurrent runs: one creates and migrates, the other waits its turn.
	var wg sync.WaitGroup
	outs, codes := make([]string, 2), make([]int, 2)
	for i := range outs {
		wg.Go(func() { outs[i], codes[i] = run(t, env, "migrate", "up") })
	}
	wg.Wait()
	require.Equal(t, []int{0, 0}, codes, outs)
	all := outs[0] + outs[1]
	require.Equal(t, 1, strings.Count(all, "applied 20261129000000_platform_init"), all)

	out, code = run(t, env, "migrate", "status")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "20261129000000_platform_init")
	require.Contains(t, out, "0 pending")

	out, code = run(t, env, "migrate", "down")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "rolled back 20261129000000_platform_init")
	out, _ = run(t, env, "migrate", "status")
	require.Contains(t, out, "0 applied")

	out, code = run(t, env, "migrate", "up")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "applied 20261129000000_platform_init")
}

func TestVersionAndConfigPrint(t *testing.T) {
	t.Parallel()
	out, code := run(t, nil, "version")
	require.Equal(t, 0, code)
	require.Contains(t, out, "bifrost v0.0.0-e2e")
	require.Contains(t, out, "e2ecommit")
	require.Contains(t, out, "2026-01-01T00:00:00Z")

	out, code = run(t, []string{
		"BIFROST_SECRET_KEY=" + strings.Repeat("x", 48),
		"BIFROST_DATABASE_URL=postgres://bifrost:s3cretpw@db:5432/bifrost",
	}, "config", "print", "--log-level", "debug")
	require.Equal(t, 0, code, out)
	require.NotContains(t, out, strings.Repeat("x", 48))
	require.NotContains(t, out, "s3cretpw")
	require.Contains(t, out, "level: debug", "flags override")
	require.Contains(t, out, "secret_key: '[redacted]'")

	out, code = run(t, []string{"BIFROST_DATABASE_URL=mysql://nope"}, "config", "print")
	require.Equal(t, 1, code)
	require.Contains(t, out, "database.url: not a valid URL")
}
