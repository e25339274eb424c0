package workflows_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/modules/internal/apitest"
	"github.com/bifrost-automation/bifrost/modules/workflows"
)

// fixture is a runner pool on a workspace of the test's own, whose runs
// reach the real config, secrets and integrations modules.
type fixture struct {
	t     *testing.T
	app   *apitest.App
	admin *apitest.Client
	ws    string
	pool  *workflows.Pool
}

type poolOption func(*workflows.PoolOptions)

func newFixture(t *testing.T, files map[string]string, opts ...poolOption) *fixture {
	t.Helper()
	f := &fixture{t: t, app: apitest.New(t, apitest.Options{}), ws: t.TempDir()}
	f.admin = f.app.Setup()
	for name, body := range files {
		f.write(name, body)
	}
	o := f.app.Workflows.PoolOptions()
	o.Workspace, o.CacheDir = f.ws, filepath.Join(t.TempDir(), "python")
	o.WatchInterval, o.KillGrace = 0, 300*time.Millisecond
	for _, fn := range opts {
		fn(&o)
	}
	f.pool = workflows.NewPool(o)
	require.NoError(t, f.pool.Start(context.Background()))
	t.Cleanup(f.pool.Stop)
	require.NoError(t, f.pool.WaitLoaded(context.Background()))
	return f
}

// compat copies the SDK compatibility suite into a workspace.
func compat(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir("testdata/compat")
	require.NoError(t, err)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("testdata/compat", e.Name()))
		require.NoError(t, err)
		out[e.Name()] = string(b)
	}
	return out
}

func (f *fixture) write(name, body string) {
	f.t.Helper()
	path := filepath.Join(f.ws, name)
	require.NoError(f.t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(f.t, os.WriteFile(path, []byte(body), 0o644))
}

// admin is the first admin acting in org (nil: global).
func (f *fixture) caller(org *workflows.Org) workflows.Caller {
	return workflows.Caller{UserID: f.app.AdminID, Email: "admin@example.com", Name: "Ada Admin", IsSuperuser: true, Organization: org}
}

type outcome struct {
	res  *workflows.Result
	logs []workflows.LogLine
}

func (o outcome) value(t *testing.T) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(o.res.Result, &v), string(o.res.Result))
	return v
}

func (o outcome) messages() []string {
	var out []string
	for _, l := range o.logs {
		out = append(out, l.Level+": "+l.Message)
	}
	return out
}

func (f *fixture) run(name string, inputs map[string]any, mods ...func(*workflows.RunRequest)) outcome {
	f.t.Helper()
	var mu sync.Mutex
	var logs []workflows.LogLine
	req := workflows.RunRequest{ExecutionID: uuid.NewString(), Name: name, Inputs: inputs, Caller: f.caller(nil),
		OnLog: func(l workflows.LogLine) {
			mu.Lock()
			logs = append(logs, l)
			mu.Unlock()
		}}
	for _, m := range mods {
		m(&req)
	}
	res, err := f.pool.Run(context.Background(), req)
	require.NoError(f.t, err, name)
	mu.Lock()
	defer mu.Unlock()
	return outcome{res: res, logs: logs}
}
