package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/platform/testenv"
)

// faultWorkspace holds the workflows the fault tests run: a no-op and a
// sleeper that writes its process id where the test can find it.
const faultWorkspace = `import asyncio
import os

from bifrost import context, workflow


@workflow(execution_mode="async")
def noop() -> dict:
    return {"ok": True}


@workflow(execution_mode="async")
def tally(log_file: str) -> None:
    with open(log_file, "a") as f:
        f.write(context.execution_id + "\n")


@workflow(execution_mode="async", timeout_seconds=600)
async def sleeper(pid_file: str, seconds: float = 120) -> str:
    with open(pid_file, "w") as f:
        f.write(str(os.getpid()))
    await asyncio.sleep(seconds)
    return "woke"
`

// execView is what the fault tests read of an execution.
type execView struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Attempts int    `json:"attempts"`
	Worker   string `json:"worker"`
	Error    *struct {
		Type    string `json:"type"`
		Message string `json:"message"`
		Detail  string `json:"detail"`
	} `json:"error"`
}

// faultSetup writes the fault workspace and returns it with an environment
// for processes of this test.
func faultSetup(t *testing.T, e *testenv.Env, extra ...string) []string {
	t.Helper()
	ws := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(ws, "faults.py"), []byte(faultWorkspace), 0o644))
	return environ(t, e, append([]string{"BIFROST_WORKSPACE_PATH=" + ws}, extra...)...)
}

// adminOf creates the first account on a fresh server and waits until a
// worker has loaded the named workflow.
func adminOf(t *testing.T, base, workflow string) api {
	t.Helper()
	var setup struct {
		AccessToken string `json:"access_token"`
	}
	api{t: t, base: base}.must(http.StatusCreated, "POST", "/api/auth/setup", map[string]string{"email": "admin@example.com", "password": "the admin password"}, &setup)
	admin := api{t: t, base: base, bearer: setup.AccessToken}
	require.Eventually(t, func() bool {
		status, _ := admin.call("GET", "/api/workflows/"+workflow, nil)
		return status == http.StatusOK
	}, 60*time.Second, 50*time.Millisecond, "a worker loads the workspace")
	return admin
}

func (a api) submit(workflow string, input map[string]any) string {
	a.t.Helper()
	var out struct {
		ExecutionID string `json:"execution_id"`
	}
	a.must(http.StatusAccepted, "POST", "/api/workflows/"+workflow+"/execute", map[string]any{"input_data": input}, &out)
	return out.ExecutionID
}

// startSleeper submits the sleeper and waits until its run has started;
// it returns the execution and the run's process id.
func (a api) startSleeper(t *testing.T) (string, int) {
	t.Helper()
	pidFile := filepath.Join(t.TempDir(), "run.pid")
	id := a.submit("sleeper", map[string]any{"pid_file": pidFile})
	var pid int
	require.Eventually(t, func() bool {
		b, err := os.ReadFile(pidFile)
		if err != nil || len(b) == 0 {
			return false
		}
		pid, err = strconv.Atoi(string(b))
		return err == nil
	}, 60*time.Second, 20*time.Millisecond, "the run started")
	return id, pid
}

func (a api) execution(id string) execView {
	a.t.Helper()
	var v execView
	a.must(http.StatusOK, "GET", "/api/executions/"+id, nil, &v)
	return v
}

// waitEnded waits for every execution to end and returns them.
func (a api) waitEnded(ids []string, within time.Duration) map[string]execView {
	a.t.Helper()
	ended := map[string]execView{}
	deadline := time.Now().Add(within)
	for len(ended) < len(ids) {
		for _, id := range ids {
			if _, ok := ended[id]; ok {
				continue
			}
			v := a.execution(id)
			switch v.Status {
			case "Pending", "Running", "Cancelling":
			default:
				ended[id] = v
			}
		}
		if len(ended) < len(ids) {
			if time.Now().After(deadline) {
				a.t.Fatalf("%d of %d executions have not ended after %s", len(ids)-len(ended), len(ids), within)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return ended
}

// TestExecutionsSurviveTheBrokerConnectionClosing submits 500 executions
// while RabbitMQ closes the server's connections (as a broker restart or a
// network cut would): every one is accepted and every one ends Success,
// run once.
func TestExecutionsSurviveTheBrokerConnectionClosing(t *testing.T) {
	// Not parallel: it loads both cores, and the browser suite watches timing.
	e := testenv.New(t)
	p := start(t, faultSetup(t, e, "BIFROST_EXECUTIONS_REPUBLISH_AFTER=10s"), "serve")
	admin := adminOf(t, p.url(), "noop")

	const total, clients = 500, 8
	ids := make([]string, total)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= total {
					return
				}
				ids[i] = admin.submit("noop", nil)
			}
		}()
	}
	// Close the connections three times while the submissions go on.
	closed := 0
	for range 3 {
		for next.Load() < total && next.Load()%150 < 50 {
			time.Sleep(5 * time.Millisecond)
		}
		closed += e.Broker.CloseConnections(t, "["+e.Broker.Prefix+"]")
		time.Sleep(150 * time.Millisecond)
	}
	wg.Wait()
	require.Positive(t, closed, "the broker closed the server's connections")
	require.Eventually(t, func() bool {
		return strings.Contains(p.output(), "reconnected to RabbitMQ")
	}, 30*time.Second, 50*time.Millisecond, "the server reconnected")

	ended := admin.waitEnded(ids, 3*time.Minute)
	for id, v := range ended {
		require.Equal(t, "Success", v.Status, "execution %s: %+v", id, v.Error)
		require.Equal(t, 1, v.Attempts, "execution %s ran once", id)
	}
	t.Logf("closed %d connections (%d publishes retried); %d executions ended Success",
		closed, strings.Count(p.output(), "publish failed, retrying"), len(ended))
}

// TestAWorkerKilledMidRunFailsItsExecution kills a worker process with
// SIGKILL while it runs a workflow: the execution ends Failed, saying the
// worker stopped, once its heartbeats are overdue, and the run's Python
// process does not outlive the worker. A new worker then runs new work.
func TestAWorkerKilledMidRunFailsItsExecution(t *testing.T) {
	// Not parallel: it loads both cores, and the browser suite watches timing.
	e := testenv.New(t)
	env := faultSetup(t, e, "BIFROST_EXECUTIONS_HEARTBEAT_INTERVAL=200ms", "BIFROST_EXECUTIONS_HEARTBEAT_TIMEOUT=2s")
	apiProc := start(t, env, "serve", "--roles=api,scheduler")
	worker := start(t, env, "serve", "--roles=worker")
	worker.url()
	admin := adminOf(t, apiProc.url(), "sleeper")

	id, runPID := admin.startSleeper(t)
	require.Equal(t, "Running", admin.execution(id).Status)

	worker.signal(syscall.SIGKILL)
	killed := time.Now()
	worker.wait(10 * time.Second)

	v := admin.waitEnded([]string{id}, time.Minute)[id]
	t.Logf("ended %s after %s", v.Status, time.Since(killed).Round(time.Millisecond))
	require.Equal(t, "Failed", v.Status)
	require.NotNil(t, v.Error)
	require.Equal(t, "WorkerLost", v.Error.Type)
	require.Contains(t, v.Error.Message, "The worker running this execution stopped before it finished")
	require.Eventually(t, func() bool {
		return syscall.Kill(runPID, 0) == syscall.ESRCH
	}, 10*time.Second, 20*time.Millisecond, "the run's Python process ended with its worker")

	// A new worker picks up new work.
	start(t, env, "serve", "--roles=worker").url()
	again := admin.submit("noop", nil)
	require.Equal(t, "Success", admin.waitEnded([]string{again}, time.Minute)[again].Status)
}

// TestTwoWorkersRunEachExecutionOnce runs two worker processes on one
// queue: 300 executions are shared between them and each runs once (the
// workflow itself writes down every execution it runs); then a run is
// cancelled through the api process and stops on its worker.
func TestTwoWorkersRunEachExecutionOnce(t *testing.T) {
	// Not parallel: it loads both cores, and the browser suite watches timing.
	e := testenv.New(t)
	env := faultSetup(t, e)
	apiProc := start(t, env, "serve", "--roles=api,scheduler")
	w1 := start(t, env, "serve", "--roles=worker")
	w2 := start(t, env, "serve", "--roles=worker")
	w1.url()
	w2.url()
	admin := adminOf(t, apiProc.url(), "tally")
	tallyFile := filepath.Join(t.TempDir(), "tally.log")

	const total = 300
	ids := make([]string, total)
	var wg sync.WaitGroup
	for c := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; i < total; i += 6 {
				ids[i] = admin.submit("tally", map[string]any{"log_file": tallyFile})
			}
		}()
	}
	wg.Wait()
	ended := admin.waitEnded(ids, 3*time.Minute)
	byWorker := map[string]int{}
	for id, v := range ended {
		require.Equal(t, "Success", v.Status, "execution %s", id)
		require.Equal(t, 1, v.Attempts, "execution %s ran once", id)
		byWorker[v.Worker]++
	}
	require.Len(t, byWorker, 2, "both workers ran executions: %v", byWorker)

	// The workflow itself saw each execution once.
	b, err := os.ReadFile(tallyFile)
	require.NoError(t, err)
	runs := map[string]int{}
	for _, line := range strings.Fields(string(b)) {
		runs[line]++
	}
	require.Len(t, runs, total)
	for _, id := range ids {
		require.Equal(t, 1, runs[id], "execution %s ran once", id)
	}
	t.Logf("executions by worker: %v", byWorker)

	// A cancellation sent to the api process stops the run on whichever
	// worker holds it.
	id, runPID := admin.startSleeper(t)
	admin.must(http.StatusOK, "POST", "/api/executions/"+id+"/cancel", nil, nil)
	asked := time.Now()
	v := admin.waitEnded([]string{id}, 30*time.Second)[id]
	require.Equal(t, "Cancelled", v.Status)
	require.Eventually(t, func() bool {
		return syscall.Kill(runPID, 0) == syscall.ESRCH
	}, 10*time.Second, 20*time.Millisecond, "the run's process is gone")
	t.Logf("cancelled on %s in %s", v.Worker, time.Since(asked).Round(time.Millisecond))
}
