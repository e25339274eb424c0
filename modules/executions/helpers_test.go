package executions_test

import (
	"bufio"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/modules/executions"
	"github.com/bifrost-automation/bifrost/modules/internal/apitest"
	"github.com/bifrost-automation/bifrost/platform/config"
)

const testWorkflows = `
import logging, time
from bifrost import workflow, workflows, UserError

log = logging.getLogger("tests")

@workflow
def add(a: int, b: int = 1):
    log.info("adding %d and %d", a, b)
    return a + b

@workflow(execution_mode="sync")
def quick(name: str):
    return {"hi": name}

@workflow(timeout_seconds=1)
def spin():
    while True:
        pass

@workflow
def slow(seconds: float = 30):
    log.info("starting")
    time.sleep(seconds)
    return "done"

@workflow
def ticker(n: int = 15, delay: float = 0.2):
    for i in range(n):
        log.info("tick %d", i)
        time.sleep(delay)
    return {"ticks": n}

@workflow
def failing():
    log.debug("a debug line")
    raise RuntimeError("internal details")

@workflow
async def parent(x: int):
    r = await workflows.execute("add", {"a": x, "b": 10})
    return {"child": r}

@workflow
async def parent_of_failure():
    try:
        await workflows.execute("failing", {})
    except Exception as e:
        return {"caught": str(e)}

@workflow(endpoint_enabled=True, allowed_methods=["GET", "POST"])
def hook(name: str = "world", count: int = 1):
    return {"name": name, "count": count}

@workflow(endpoint_enabled=True, public_endpoint=True, execution_mode="async")
def public_hook():
    return "ok"

@workflow(endpoint_enabled=True, disable_global_key=True)
def private_hook():
    return "private"
`

type fixture struct {
	t     *testing.T
	app   *apitest.App
	admin *apitest.Client
}

// newFixture runs the modules with a broker, a worker (the consumers and
// the runner pool) and the test workflows.
func newFixture(t *testing.T, opts ...func(*config.Config)) *fixture {
	t.Helper()
	ws := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(ws, "tests.py"), []byte(testWorkflows), 0o644))
	app := apitest.New(t, apitest.Options{Broker: true, Worker: true, Config: func(c *config.Config) {
		c.Workspace.Path = ws
		c.Workflows.WatchInterval = 0
		c.Workflows.KillGrace = config.Duration(500 * time.Millisecond)
		c.Executions.HeartbeatInterval = config.Duration(200 * time.Millisecond)
		c.Executions.HeartbeatTimeout = config.Duration(2 * time.Second)
		c.Executions.RepublishAfter = config.Duration(time.Second)
		for _, o := range opts {
			o(c)
		}
	}})
	f := &fixture{t: t, app: app, admin: app.Setup()}
	require.Eventually(t, func() bool {
		return f.admin.Do("GET", "/api/workflows/add", nil).Status == http.StatusOK
	}, 20*time.Second, 50*time.Millisecond, "the worker stores the registry")
	return f
}

func (f *fixture) execute(c *apitest.Client, name string, inputs map[string]any, query string) (int, executions.ExecuteResponse) {
	f.t.Helper()
	var out executions.ExecuteResponse
	r := c.Do("POST", "/api/workflows/"+name+"/execute"+query, map[string]any{"input_data": inputs})
	if r.Status < 300 {
		r.JSON(f.t, &out)
	}
	return r.Status, out
}

// waitFor polls an execution until it has ended.
func (f *fixture) waitFor(c *apitest.Client, id string) executions.DetailResponse {
	f.t.Helper()
	var d executions.DetailResponse
	require.Eventually(f.t, func() bool {
		c.Must(http.StatusOK, "GET", "/api/executions/"+id, nil, &d)
		return executions.Terminal(d.Status)
	}, 30*time.Second, 20*time.Millisecond, "execution %s ends", id)
	return d
}

// sseEvent is one Server-Sent Event.
type sseEvent struct {
	ID, Event, Data string
}

// readSSE reads events until end (or the stream closes).
func readSSE(t *testing.T, r *bufio.Reader, until string) []sseEvent {
	t.Helper()
	var out []sseEvent
	var cur sseEvent
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return out
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "":
			if cur.Event != "" {
				out = append(out, cur)
				if cur.Event == until {
					return out
				}
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, "id: "):
			cur.ID = line[4:]
		case strings.HasPrefix(line, "event: "):
			cur.Event = line[7:]
		case strings.HasPrefix(line, "data: "):
			cur.Data = line[6:]
		}
	}
}
