package workflows_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/modules/workflows"
)

func TestInputsAreCheckedBeforeUserCode(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]string{"checked.py": `
from bifrost import workflow, param

@workflow
@param("count", "int", required=True, validation={"min": 1, "max": 10})
@param("email", "email", required=True)
@param("mode", "string", validation={"pattern": "^(fast|slow)$", "message": "fast or slow"})
def checked(count, email, mode="fast"):
    print("user code ran")
    return count
`})
	o := f.run("checked", map[string]any{"count": "eleven", "mode": "medium"})
	require.Equal(t, workflows.StatusFailed, o.res.Status)
	require.Equal(t, "ValidationError", o.res.Error.Type)
	require.ElementsMatch(t, []workflows.InputError{
		{Field: "count", Message: "must be a whole number"},
		{Field: "email", Message: "is required"},
		{Field: "mode", Message: "fast or slow"},
	}, o.res.Error.Errors)
	require.Empty(t, o.logs, "no user code ran")

	o = f.run("checked", map[string]any{"count": 11, "email": "a@b.co"})
	require.Equal(t, []workflows.InputError{{Field: "count", Message: "must be at most 10"}}, o.res.Error.Errors)
	o = f.run("checked", map[string]any{"count": "7", "email": "a@b.co"})
	require.Equal(t, workflows.StatusSuccess, o.res.Status)
	require.Equal(t, float64(7), o.value(t), "query-string style inputs are coerced")
}

func TestTimeoutsKillRunsThatDoNotStop(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]string{"loops.py": `
import signal
from bifrost import workflow

@workflow(timeout_seconds=1)
def busy():
    while True:
        pass

@workflow
def stubborn():
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    print("ignoring SIGTERM")
    while True:
        pass
`})
	began := time.Now()
	o := f.run("busy", nil)
	require.Equal(t, workflows.StatusTimeout, o.res.Status)
	require.Contains(t, o.res.Error.Message, "did not finish within 1s")
	require.Less(t, time.Since(began), 10*time.Second)

	began = time.Now()
	o = f.run("stubborn", nil, func(r *workflows.RunRequest) { r.Timeout = 300 * time.Millisecond })
	require.Equal(t, workflows.StatusTimeout, o.res.Status)
	require.Equal(t, 9, *o.res.Signal, "SIGKILL after the grace period")
	require.Contains(t, o.messages(), "info: ignoring SIGTERM")
	require.Less(t, time.Since(began), 10*time.Second)
}

func TestCancellationStopsARun(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]string{"slow.py": `
import time
from bifrost import workflow

@workflow
def slow():
    print("started")
    time.sleep(60)
    return "never"
`})
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	done := make(chan *workflows.Result)
	go func() {
		res, err := f.pool.Run(ctx, workflows.RunRequest{Name: "slow", Caller: f.caller(nil), OnLog: func(l workflows.LogLine) {
			if l.Message == "started" {
				close(started)
			}
		}})
		require.NoError(t, err)
		done <- res
	}()
	<-started
	cancel()
	select {
	case res := <-done:
		require.Equal(t, workflows.StatusCancelled, res.Status)
		require.Equal(t, "The execution was cancelled.", res.Error.Message)
	case <-time.After(20 * time.Second):
		t.Fatal("the cancelled run did not end")
	}
}

func TestEveryRunStartsClean(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]string{"stateful.py": `
import sys
from bifrost import workflow

CACHE = {"runs": 0}

@workflow
def count_runs():
    CACHE["runs"] += 1
    sys.modules["leftover"] = object()
    return {"runs": CACHE["runs"], "leftover_before": "was_here" in globals()}

@workflow
def leave_state():
    globals()["was_here"] = True
    return "left"
`})
	for i := 0; i < 3; i++ {
		require.Equal(t, "left", f.run("leave_state", nil).value(t))
		require.Equal(t, map[string]any{"runs": float64(1), "leftover_before": false}, f.run("count_runs", nil).value(t), "run %d", i)
	}
}

func TestRunsSeeNoPlatformCredentials(t *testing.T) {
	// Not parallel: it sets the process environment a worker would have.
	t.Setenv("BIFROST_DATABASE_URL", "postgres://bifrost:db-password-123@db/bifrost")
	t.Setenv("BIFROST_SECRET_KEY", "a-secret-key-that-must-not-leak-0123456789")
	t.Setenv("BIFROST_RABBITMQ_URL", "amqp://bifrost:mq-password-456@mq/")
	t.Setenv("BIFROST_SECRETS_MASTER_KEY", strings.Repeat("ab", 32))
	t.Setenv("AWS_SECRET_ACCESS_KEY", "cloud-credential-789")
	f := newFixture(t, map[string]string{"env.py": `
import os
from bifrost import workflow

@workflow
def environment():
    return dict(os.environ)
`})
	o := f.run("environment", nil)
	require.Equal(t, workflows.StatusSuccess, o.res.Status, "%+v", o.res.Error)
	env := o.value(t).(map[string]any)
	for k := range env {
		require.False(t, strings.HasPrefix(k, "BIFROST_"), "%s reached the run", k)
	}
	text := string(o.res.Result)
	for _, secret := range []string{"db-password-123", "a-secret-key-that-must-not-leak", "mq-password-456", strings.Repeat("ab", 32), "cloud-credential-789", f.app.Config.Database.URL} {
		require.NotContains(t, text, secret)
	}
	require.Contains(t, env, "PATH")
	require.Contains(t, env, "HOME")
}

func TestSecretsDoNotLeakIntoLogsOrResults(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]string{"leaky.py": `
import logging
from bifrost import workflow, secrets, config

@workflow
async def leaky():
    value = await secrets.get("halo_api_key")
    via_config = await config.get("halo_key")
    logging.getLogger("leaky").info("the key is %s", value, extra={"data": {"key": value}})
    print("printing", via_config)
    missing = await secrets.get("nope")
    return {"key": value, "nested": [f"prefix-{value}-suffix"], "missing": missing, "plain": await config.get("plain")}
`})
	const value = "halo-s3cret-value-42"
	f.admin.Must(http.StatusCreated, "POST", "/api/secrets", map[string]string{"name": "halo_api_key", "value": value}, nil)
	f.admin.Must(http.StatusOK, "POST", "/api/config", map[string]any{"key": "halo_key", "type": "secret_ref", "value": "halo_api_key"}, nil)
	f.admin.Must(http.StatusOK, "POST", "/api/config", map[string]any{"key": "plain", "type": "string", "value": "visible"}, nil)
	var execID string
	o := f.run("leaky", nil, func(r *workflows.RunRequest) { execID = r.ExecutionID })
	require.Equal(t, workflows.StatusSuccess, o.res.Status, "%+v", o.res.Error)
	require.Equal(t, map[string]any{"key": "***", "nested": []any{"prefix-***-suffix"}, "missing": nil, "plain": "visible"}, o.value(t))
	require.Equal(t, []string{"info: the key is ***", "info: printing ***"}, o.messages())
	require.Equal(t, map[string]any{"key": "***"}, o.logs[0].Data)
	require.NotContains(t, o.res.Variables["value"], value)
	audit := f.app.AuditDetails(t)
	require.Contains(t, audit, "secrets.read")
	require.Contains(t, audit, execID, "the read is audited with the execution")
}

func TestPermissionsApplyToRuns(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]string{"perm.py": `
from bifrost import workflow, secrets, PermissionDeniedError, config

@workflow
async def try_things():
    out = {"read": await secrets.get("shared")}
    try:
        await secrets.set("shared", "changed")
        out["set"] = "allowed"
    except PermissionDeniedError as e:
        out["set"] = str(e)
    try:
        await config.get("x", org_id="00000000-0000-0000-0000-000000000001")
        out["other_org"] = "allowed"
    except PermissionDeniedError as e:
        out["other_org"] = str(e)
    return out
`})
	orgID := f.app.Org(f.admin, "Alpha", "alpha.example")
	f.admin.Must(http.StatusCreated, "POST", "/api/secrets", map[string]string{"name": "shared", "value": "global value"}, nil)
	_, techID := f.app.Member(f.admin, "tech@alpha.example", orgID)
	org := uuid.MustParse(orgID)
	o := f.run("try_things", nil, func(r *workflows.RunRequest) {
		r.Caller = workflows.Caller{UserID: uuid.MustParse(techID), Email: "tech@alpha.example", UserOrganizationID: &org,
			Organization: &workflows.Org{ID: org, Name: "Alpha", IsActive: true}}
	})
	require.Equal(t, workflows.StatusSuccess, o.res.Status, "%+v", o.res.Error)
	require.Equal(t, map[string]any{"read": "***", "set": `This needs the "secrets.manage" permission.`,
		"other_org": "Only platform admins can act on another organization."}, o.value(t))
}

func TestALoadErrorLeavesTheRestRunning(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]string{
		"good.py":      "from bifrost import workflow\n\n@workflow\ndef good():\n    return 'fine'\n",
		"broken.py":    "from bifrost import workflow\n\n@workflow\ndef broken(:\n    pass\n",
		"raises.py":    "import nonexistent_module_xyz\n",
		"bad_param.py": "from bifrost import workflow, param\n\n@workflow\n@param('x', 'decimal')\ndef bad(x):\n    pass\n",
		"later.py":     "from bifrost import workflow\n\n@workflow\ndef good():\n    return 'second'\n",
	})
	reg := f.pool.Registry()
	byFile := map[string]workflows.LoadError{}
	for _, e := range reg.Errors {
		byFile[e.File] = e
	}
	require.Equal(t, "SyntaxError", byFile["broken.py"].Type)
	require.Equal(t, 4, byFile["broken.py"].Line)
	require.Equal(t, "ModuleNotFoundError", byFile["raises.py"].Type)
	require.Equal(t, 1, byFile["raises.py"].Line)
	require.Equal(t, "DefinitionError", byFile["bad_param.py"].Type)
	require.Equal(t, 4, byFile["bad_param.py"].Line)
	require.Contains(t, byFile["bad_param.py"].Message, "unknown type 'decimal'")
	require.Equal(t, "DuplicateName", byFile["later.py"].Type, "files load in name order; the later one is reported")
	require.Contains(t, byFile["later.py"].Message, "already defined in good.py")
	require.Equal(t, "fine", f.run("good", nil).value(t), "the first definition stays")
}

func TestEditingTheWorkspaceIsPickedUp(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]string{"greet.py": "from bifrost import workflow\n\n@workflow\ndef greet():\n    return 'v1'\n"},
		func(o *workflows.PoolOptions) { o.WatchInterval = 100 * time.Millisecond })
	require.Equal(t, "v1", f.run("greet", nil).value(t))
	f.write("greet.py", "from bifrost import workflow\n\n@workflow\ndef greet():\n    return 'version two'\n")
	f.write("added.py", "from bifrost import workflow\n\n@workflow\ndef added():\n    return 'new'\n")
	require.Eventually(t, func() bool {
		reg := f.pool.Registry()
		return reg != nil && len(reg.Workflows) == 2
	}, 10*time.Second, 50*time.Millisecond, "the watcher reloads the workspace")
	require.Equal(t, "version two", f.run("greet", nil).value(t))
	require.Equal(t, "new", f.run("added", nil).value(t))
	require.NoError(t, os.Remove(f.ws+"/added.py"))
	require.Eventually(t, func() bool { return len(f.pool.Registry().Workflows) == 1 }, 10*time.Second, 50*time.Millisecond)
}

func TestOutputOfProgramsAndLimits(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]string{"procs.py": `
import subprocess, sys
from bifrost import workflow, files

@workflow
def shell_out():
    subprocess.run(["sh", "-c", "echo from a program; echo to stderr >&2"], check=True)
    files.write("note.txt", "kept for the run", location="temp")
    return files.read("note.txt", location="temp")

@workflow
def hog():
    blob = bytearray(512 * 1024 * 1024)
    return len(blob)

@workflow
def escape():
    return files.read("../../etc/passwd")
`}, func(o *workflows.PoolOptions) { o.MemoryLimit = 256 << 20 })
	o := f.run("shell_out", nil)
	require.Equal(t, workflows.StatusSuccess, o.res.Status, "%+v", o.res.Error)
	require.Equal(t, "kept for the run", o.value(t))
	require.ElementsMatch(t, []string{"info: from a program", "info: to stderr"}, o.messages())

	o = f.run("hog", nil)
	require.Equal(t, workflows.StatusFailed, o.res.Status)
	require.Equal(t, "MemoryError", o.res.Error.Type, "the memory limit holds")

	o = f.run("escape", nil)
	require.Equal(t, workflows.StatusFailed, o.res.Status)
	require.Equal(t, "PermissionDeniedError", o.res.Error.Type)
}

func TestOrganizationsAndRolesFromAWorkflow(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]string{"admin.py": `
from bifrost import workflow, organizations, roles, config, PermissionDeniedError

@workflow
async def onboard_client(name: str):
    org = await organizations.create(name, domain="fabrikam.example")
    role = await roles.create("Technicians", permissions=["workflows.run"], org_id=org["id"])
    await config.set("psa_board", "Service Desk", org_id=org["id"])
    board = await config.get("psa_board", org_id=org["id"])
    await organizations.update(org["id"], name=name + " Ltd")
    names = [o["name"] for o in await organizations.list()]
    await organizations.delete(org["id"])
    again = await organizations.get(org["id"])
    return {"role_org": role["organization_id"] == org["id"], "board": board, "names": names, "active": again["is_active"],
            "roles": [r["name"] for r in await roles.list()]}

@workflow
async def not_allowed():
    try:
        await organizations.list()
    except PermissionDeniedError as e:
        return str(e)
`})
	o := f.run("onboard_client", map[string]any{"name": "Fabrikam"})
	require.Equal(t, workflows.StatusSuccess, o.res.Status, "%+v %v", o.res.Error, o.messages())
	require.Equal(t, map[string]any{"role_org": true, "board": "Service Desk", "names": []any{"Fabrikam Ltd"}, "active": false,
		"roles": []any{"Technicians"}}, o.value(t))

	orgID := f.app.Org(f.admin, "Alpha", "alpha.example")
	_, techID := f.app.Member(f.admin, "tech@alpha.example", orgID)
	org := uuid.MustParse(orgID)
	o = f.run("not_allowed", nil, func(r *workflows.RunRequest) {
		r.Caller = workflows.Caller{UserID: uuid.MustParse(techID), Email: "tech@alpha.example", UserOrganizationID: &org,
			Organization: &workflows.Org{ID: org, Name: "Alpha", IsActive: true}}
	})
	require.Equal(t, "Only platform admins can manage organizations and roles.", o.value(t))
}

func TestAMissingInterpreterIsReported(t *testing.T) {
	t.Parallel()
	p := workflows.NewPool(workflows.PoolOptions{Python: "python-that-does-not-exist", Workspace: t.TempDir(), CacheDir: t.TempDir()})
	require.NoError(t, p.Start(context.Background()), "a worker starts without waiting for Python")
	t.Cleanup(p.Stop)
	require.NoError(t, p.WaitLoaded(context.Background()))
	require.ErrorContains(t, p.Err(), `"python-that-does-not-exist" does not run (set workflows.python)`)
	_, err := p.Run(context.Background(), workflows.RunRequest{Name: "anything"})
	require.ErrorContains(t, err, "workflows.python_unavailable")
	require.Equal(t, "StartError", p.Registry().Errors[0].Type)
}

// TestRelativeFoldersWork runs a workflow with the data folder given as a
// relative path (the default data_dir is ".bifrost"): the zygote and its
// runs, which work in the workspace, still find the SDK.
func TestRelativeFoldersWork(t *testing.T) {
	t.Parallel()
	// A folder below the test's working directory, named relative to it.
	rel, err := os.MkdirTemp(".", ".relative-data-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(rel) })
	f := newFixture(t, map[string]string{"hi.py": "from bifrost import workflow\n\n@workflow\ndef hi():\n    return 'hi'\n"},
		func(o *workflows.PoolOptions) {
			o.CacheDir = filepath.Join(rel, "python")
			o.UploadsDir = filepath.Join(rel, "uploads")
		})
	o := f.run("hi", nil)
	require.Equal(t, workflows.StatusSuccess, o.res.Status, "%+v %v", o.res.Error, o.messages())
	require.Equal(t, "hi", o.value(t))
}
