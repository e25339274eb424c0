package executions_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/modules/executions"
	"github.com/bifrost-automation/bifrost/modules/internal/apitest"
	"github.com/bifrost-automation/bifrost/platform/bus"
	"github.com/bifrost-automation/bifrost/platform/config"
)

func TestAsyncAndSyncRuns(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	status, resp := f.execute(f.admin, "add", map[string]any{"a": "2", "b": 3}, "")
	require.Equal(t, http.StatusAccepted, status)
	require.Equal(t, executions.StatusPending, resp.Status)
	d := f.waitFor(f.admin, resp.ExecutionID.String())
	require.Equal(t, executions.StatusSuccess, d.Status)
	require.JSONEq(t, "5", string(d.Result))
	require.Equal(t, "json", *d.ResultType)
	require.Equal(t, map[string]any{"a": "2", "b": float64(3)}, d.Input, "the inputs as submitted")
	require.Equal(t, "admin@example.com", d.UserEmail)
	require.NotEmpty(t, d.Worker)
	require.Equal(t, 1, d.Attempts)
	require.NotNil(t, d.StartedAt)
	require.NotNil(t, d.DurationMs)
	require.Len(t, d.Logs, 1)
	require.Equal(t, "adding 2 and 3", d.Logs[0].Message)
	require.Equal(t, 1, d.LogCount)

	// A sync workflow answers with its result.
	status, resp = f.execute(f.admin, "quick", map[string]any{"name": "Ada"}, "")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, executions.StatusSuccess, resp.Status)
	require.Equal(t, map[string]any{"hi": "Ada"}, resp.Result)
	// ?wait=true makes an async one wait too.
	status, resp = f.execute(f.admin, "add", map[string]any{"a": 1}, "?wait=true")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, float64(2), resp.Result)

	var result executions.ResultResponse
	f.admin.Must(http.StatusOK, "GET", "/api/executions/"+resp.ExecutionID.String()+"/result", nil, &result)
	require.Equal(t, float64(2), result.Result)

	// A failure shows users a generic message; admins see the detail and
	// the debug and traceback lines.
	status, resp = f.execute(f.admin, "failing", nil, "?wait=true")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, executions.StatusFailed, resp.Status)
	f.admin.Must(http.StatusOK, "GET", "/api/executions/"+resp.ExecutionID.String(), nil, &d)
	require.Contains(t, d.Error.Detail, "internal details")
	var levels []string
	for _, l := range d.Logs {
		levels = append(levels, l.Level)
	}
	require.Equal(t, []string{"debug", "traceback"}, levels)
}

func TestBadInputsCreateNoExecution(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.admin.Do("POST", "/api/workflows/add/execute", map[string]any{"input_data": map[string]any{"a": "two", "b": true}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	p := r.Problem(t)
	require.Equal(t, "executions.invalid_input", p.Code)
	var fields []string
	for _, e := range p.Errors {
		fields = append(fields, e.Field+": "+e.Message)
	}
	require.ElementsMatch(t, []string{"input_data.a: must be a whole number", "input_data.b: must be a whole number"}, fields)
	r = f.admin.Do("POST", "/api/workflows/add/execute", map[string]any{"input_data": map[string]any{}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Equal(t, "input_data.a", r.Problem(t).Errors[0].Field)
	r = f.admin.Do("POST", "/api/workflows/nope/execute", nil)
	require.Equal(t, http.StatusNotFound, r.Status)

	var page struct {
		Items []executions.Execution `json:"items"`
	}
	f.admin.Must(http.StatusOK, "GET", "/api/executions", nil, &page)
	require.Empty(t, page.Items, "no execution was created")
}

func TestCancellation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *config.Config) { c.Workflows.Concurrency = 1 })

	// The single run slot is busy, so the next one waits, Pending.
	_, running := f.execute(f.admin, "slow", nil, "")
	require.Eventually(t, func() bool {
		var d executions.DetailResponse
		f.admin.Must(http.StatusOK, "GET", "/api/executions/"+running.ExecutionID.String(), nil, &d)
		return d.Status == executions.StatusRunning && len(d.Logs) == 1
	}, 20*time.Second, 20*time.Millisecond)
	_, pending := f.execute(f.admin, "add", map[string]any{"a": 1}, "")
	var c executions.Execution
	f.admin.Must(http.StatusOK, "POST", "/api/executions/"+pending.ExecutionID.String()+"/cancel", nil, &c)
	require.Equal(t, executions.StatusCancelled, c.Status, "a pending execution is cancelled at once")

	began := time.Now()
	f.admin.Must(http.StatusOK, "POST", "/api/executions/"+running.ExecutionID.String()+"/cancel", nil, &c)
	require.Equal(t, executions.StatusCancelling, c.Status)
	d := f.waitFor(f.admin, running.ExecutionID.String())
	require.Equal(t, executions.StatusCancelled, d.Status)
	require.Less(t, time.Since(began), 3*time.Second, "a running execution stops within a second or so")

	// The cancelled one's message is skipped, not run.
	time.Sleep(500 * time.Millisecond)
	f.admin.Must(http.StatusOK, "GET", "/api/executions/"+pending.ExecutionID.String(), nil, &d)
	require.Equal(t, executions.StatusCancelled, d.Status)
	require.Equal(t, 0, d.Attempts)

	r := f.admin.Do("POST", "/api/executions/"+pending.ExecutionID.String()+"/cancel", nil)
	require.Equal(t, http.StatusOK, r.Status, "cancelling a cancelled execution says so")
	_, done := f.execute(f.admin, "add", map[string]any{"a": 1}, "?wait=true")
	r = f.admin.Do("POST", "/api/executions/"+done.ExecutionID.String()+"/cancel", nil)
	require.Equal(t, http.StatusConflict, r.Status)
	require.Equal(t, "executions.already_ended", r.Problem(t).Code)
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, resp := f.execute(f.admin, "spin", nil, "")
	d := f.waitFor(f.admin, resp.ExecutionID.String())
	require.Equal(t, executions.StatusTimeout, d.Status)
	require.Contains(t, d.Error.Message, "did not finish within 1s")
}

func TestNestedRuns(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *config.Config) { c.Workflows.Concurrency = 1 })
	status, resp := f.execute(f.admin, "parent", map[string]any{"x": 5}, "?wait=true")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, executions.StatusSuccess, resp.Status, "%+v", resp.Error)
	require.Equal(t, map[string]any{"child": float64(15)}, resp.Result, "one run slot is enough: the child does not wait for it")

	var page struct {
		Items []executions.Execution `json:"items"`
	}
	f.admin.Must(http.StatusOK, "GET", "/api/executions?parent_id="+resp.ExecutionID.String(), nil, &page)
	require.Len(t, page.Items, 1)
	child := page.Items[0]
	require.Equal(t, "add", child.WorkflowName)
	require.Equal(t, "nested", child.Trigger)
	require.Equal(t, executions.StatusSuccess, child.Status)

	_, resp = f.execute(f.admin, "parent_of_failure", nil, "?wait=true")
	caught := resp.Result.(map[string]any)["caught"].(string)
	require.Contains(t, caught, "The workflow failing ended Failed")
}

func TestLiveStreamResumes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, resp := f.execute(f.admin, "ticker", map[string]any{"n": 10, "delay": 0.1}, "")
	id := resp.ExecutionID.String()

	open := func(lastID string) *bufio.Reader {
		req, err := http.NewRequest("GET", f.app.URL+"/api/executions/"+id+"/stream", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+f.admin.Bearer)
		if lastID != "" {
			req.Header.Set("Last-Event-ID", lastID)
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		if res.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(res.Body)
			t.Fatalf("stream: %d %s", res.StatusCode, b)
		}
		require.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))
		t.Cleanup(func() { res.Body.Close() })
		return bufio.NewReader(res.Body)
	}
	// Read the first lines, drop the connection, resume after the fourth.
	first := open("")
	var seen []sseEvent
	for len(seen) < 4 {
		for _, e := range readSSE(t, first, "log") {
			if e.Event == "log" {
				seen = append(seen, e)
			}
		}
	}
	rest := readSSE(t, open(seen[3].ID), "end")
	var ticks []string
	for _, e := range append(seen[:4], rest...) {
		if e.Event != "log" {
			continue
		}
		var l executions.LogLine
		require.NoError(t, json.Unmarshal([]byte(e.Data), &l))
		require.Equal(t, e.ID, strconvItoa(l.Seq))
		ticks = append(ticks, l.Message)
	}
	want := []string{}
	for i := range 10 {
		want = append(want, "tick "+strconvItoa(int64(i)))
	}
	require.Equal(t, want, ticks, "no gap, no repeat")
	last := rest[len(rest)-1]
	require.Equal(t, "end", last.Event)
	require.Contains(t, last.Data, `"status":"Success"`)
}

func strconvItoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestHistoryVisibility(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	orgA := f.app.Org(f.admin, "Alpha", "alpha.example")
	orgB := f.app.Org(f.admin, "Bravo", "bravo.example")
	runA := f.app.Role(f.admin, orgA, "Runners", "workflows.run")
	ada, _ := f.app.Member(f.admin, "ada@alpha.example", orgA, runA)
	bob, _ := f.app.Member(f.admin, "bob@alpha.example", orgA, runA)
	lead, _ := f.app.Member(f.admin, "lead@alpha.example", orgA, f.app.Role(f.admin, orgA, "Leads", "workflows.run", "executions.view_all"))
	eve, _ := f.app.Member(f.admin, "eve@bravo.example", orgB, f.app.Role(f.admin, orgB, "Runners", "workflows.run"))

	_, adaRun := f.execute(ada, "add", map[string]any{"a": 1}, "?wait=true")
	_, bobRun := f.execute(bob, "add", map[string]any{"a": 2}, "?wait=true")
	_, eveRun := f.execute(eve, "add", map[string]any{"a": 3}, "?wait=true")
	require.Equal(t, executions.StatusSuccess, adaRun.Status)

	list := func(c *apitest.Client) []string {
		var page struct {
			Items []executions.Execution `json:"items"`
		}
		c.Must(http.StatusOK, "GET", "/api/executions", nil, &page)
		var out []string
		for _, e := range page.Items {
			out = append(out, e.ID.String())
		}
		return out
	}
	require.Equal(t, []string{adaRun.ExecutionID.String()}, list(ada), "users see their own")
	require.ElementsMatch(t, []string{adaRun.ExecutionID.String(), bobRun.ExecutionID.String()}, list(lead), "executions.view_all sees the organization's")
	require.ElementsMatch(t, []string{adaRun.ExecutionID.String(), bobRun.ExecutionID.String(), eveRun.ExecutionID.String()}, list(f.admin))
	require.ElementsMatch(t, []string{eveRun.ExecutionID.String()}, list(f.admin.InOrg(orgB)))

	for _, path := range []string{"", "/result", "/logs", "/stream"} {
		require.Equal(t, http.StatusNotFound, bob.Do("GET", "/api/executions/"+adaRun.ExecutionID.String()+path, nil).Status, path)
		require.Equal(t, http.StatusNotFound, eve.Do("GET", "/api/executions/"+adaRun.ExecutionID.String()+path, nil).Status, path)
	}
	require.Equal(t, http.StatusNotFound, eve.Do("POST", "/api/executions/"+adaRun.ExecutionID.String()+"/cancel", nil).Status)
	require.Equal(t, http.StatusOK, lead.Do("GET", "/api/executions/"+adaRun.ExecutionID.String(), nil).Status)
}

func TestEndpoints(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	call := func(method, path, key string, body any) (int, map[string]any) {
		c := f.app.Client()
		var headers []string
		if key != "" {
			headers = []string{"X-Bifrost-Key", key}
		}
		r := c.Do(method, path, body, headers...)
		var out map[string]any
		_ = json.Unmarshal(r.Body, &out)
		return r.Status, out
	}
	status, body := call("POST", "/api/endpoints/hook", "", map[string]any{"name": "x"})
	require.Equal(t, http.StatusUnauthorized, status)
	require.Equal(t, "endpoints.invalid_key", body["code"])

	var key executions.CreatedKey
	f.admin.Must(http.StatusCreated, "POST", "/api/workflow-keys", map[string]any{"name": "PSA webhook"}, &key)
	require.True(t, strings.HasPrefix(key.Secret, "bfk_"))
	status, body = call("POST", "/api/endpoints/hook?count=3", key.Secret, map[string]any{"name": "Ada"})
	require.Equal(t, http.StatusOK, status, "%v", body)
	require.Equal(t, map[string]any{"name": "Ada", "count": float64(3)}, body["result"], "query and body merge, with coercion")
	status, body = call("GET", "/api/endpoints/hook?name=Bob", key.Secret, nil)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "Bob", body["result"].(map[string]any)["name"])
	status, _ = call("GET", "/api/endpoints/hook?code="+key.Secret, "", nil)
	require.Equal(t, http.StatusOK, status, "the key works as ?code= too")
	status, body = call("DELETE", "/api/endpoints/hook", key.Secret, nil)
	require.Equal(t, http.StatusMethodNotAllowed, status)
	require.Equal(t, "endpoints.method_not_allowed", body["code"])
	status, body = call("POST", "/api/endpoints/hook", key.Secret, map[string]any{"count": "many"})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Equal(t, "executions.invalid_input", body["code"], "a body that does not fit the parameters")

	status, _ = call("POST", "/api/endpoints/private_hook", key.Secret, nil)
	require.Equal(t, http.StatusForbidden, status, "a global key is refused where disable_global_key")
	var own executions.CreatedKey
	name := "private_hook"
	f.admin.Must(http.StatusCreated, "POST", "/api/workflow-keys", map[string]any{"name": "private", "workflow_name": name}, &own)
	status, body = call("POST", "/api/endpoints/private_hook", own.Secret, nil)
	require.Equal(t, http.StatusOK, status, "%v", body)
	status, _ = call("POST", "/api/endpoints/hook", own.Secret, nil)
	require.Equal(t, http.StatusForbidden, status, "a workflow's key is for it alone")

	f.admin.Must(http.StatusNoContent, "DELETE", "/api/workflow-keys/"+key.ID.String(), nil, nil)
	status, body = call("POST", "/api/endpoints/hook", key.Secret, nil)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Equal(t, "endpoints.key_revoked", body["code"])

	status, body = call("POST", "/api/endpoints/public_hook", "", nil)
	require.Equal(t, http.StatusAccepted, status, "public and async")
	require.NotEmpty(t, body["execution_id"])
	status, _ = call("POST", "/api/endpoints/add", "", nil)
	require.Equal(t, http.StatusNotFound, status, "a workflow without endpoint_enabled is not callable")

	var keys executions.KeysResponse
	f.admin.Must(http.StatusOK, "GET", "/api/workflow-keys", nil, &keys)
	require.Len(t, keys.Items, 2)
	body2 := string(f.admin.Must(http.StatusOK, "GET", "/api/workflow-keys", nil, nil).Body)
	require.NotContains(t, body2, key.Secret)
	require.NotNil(t, keys.Items[1].LastUsedAt)

	_, err := f.app.Env.DB.ExecContext(context.Background(), `UPDATE workflow_keys SET expires_at = now() - interval '1 minute' WHERE id = ?`, own.ID)
	require.NoError(t, err)
	status, body = call("POST", "/api/endpoints/private_hook", own.Secret, nil)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Equal(t, "endpoints.key_expired", body["code"])
}

func TestPoisonMessageFailsItsExecution(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// An execution whose only message is broken: the parameters are not
	// an object.
	id := uuid.New()
	_, err := f.app.Env.DB.ExecContext(context.Background(), `INSERT INTO executions (id, workflow_name, status, input, user_email)
		VALUES (?, 'add', 'Pending', '{"a": 1}', 'admin@example.com')`, id)
	require.NoError(t, err)
	require.NoError(t, f.app.Publisher.Publish(context.Background(), bus.TopicWorkflowExecutions,
		[]byte(`{"execution_id":"`+id.String()+`","parameters":"not an object"}`), nil))
	require.Eventually(t, func() bool {
		return f.app.Env.Broker.QueueDepth(t, bus.DeadTopic(bus.TopicWorkflowExecutions)) == 1
	}, 20*time.Second, 50*time.Millisecond, "the poison message lands in the dead-letter queue")
	d := f.waitFor(f.admin, id.String())
	require.Equal(t, executions.StatusFailed, d.Status)
	require.Equal(t, "DeadLettered", d.Error.Type)
	require.Contains(t, d.Error.Detail, "cannot be read")
}

func TestReconcilerRepublishesLostMessages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// An execution whose message never reached the broker.
	id := uuid.New()
	_, err := f.app.Env.DB.ExecContext(context.Background(), `INSERT INTO executions (id, workflow_name, status, input, created_at, user_email)
		VALUES (?, 'add', 'Pending', '{"a": 41}', now() - interval '10 seconds', 'admin@example.com')`, id)
	require.NoError(t, err)
	require.NoError(t, f.app.Executions.Reconcile(context.Background()))
	d := f.waitFor(f.admin, id.String())
	require.Equal(t, executions.StatusSuccess, d.Status)
	require.JSONEq(t, "42", string(d.Result))

	// An execution whose worker vanished.
	gone := uuid.New()
	_, err = f.app.Env.DB.ExecContext(context.Background(), `INSERT INTO executions (id, workflow_name, status, input, started_at, heartbeat_at, worker)
		VALUES (?, 'add', 'Running', '{}', now() - interval '1 minute', now() - interval '1 minute', 'lost-host/123')`, gone)
	require.NoError(t, err)
	require.NoError(t, f.app.Executions.Reconcile(context.Background()))
	d = f.waitFor(f.admin, gone.String())
	require.Equal(t, executions.StatusFailed, d.Status)
	require.Equal(t, "WorkerLost", d.Error.Type)
	require.Contains(t, d.Error.Detail, "lost-host/123")
}

// TestRetentionAndStuckRuns deletes ended executions past the retention,
// with their logs and in batches, and keeps the rest; an execution still
// running far past its timeout is ended with a log line saying why.
func TestRetentionAndStuckRuns(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *config.Config) { c.Executions.Retention = config.Duration(30 * 24 * time.Hour) })
	ctx := context.Background()
	exec := func(q string, args ...any) {
		t.Helper()
		_, err := f.app.Env.DB.ExecContext(ctx, q, args...)
		require.NoError(t, err)
	}
	// 2,500 old ended executions with a log line each: more than two batches.
	exec(`INSERT INTO executions (id, workflow_name, status, created_at, started_at, completed_at)
		SELECT gen_random_uuid(), 'add', 'Success', now() - interval '41 days', now() - interval '41 days', now() - interval '40 days'
		FROM generate_series(1, 2500)`)
	exec(`INSERT INTO execution_logs (execution_id, seq, level, message, logged_at)
		SELECT id, 1, 'info', 'old line', now() - interval '40 days' FROM executions`)
	recent, running, transient := uuid.New(), uuid.New(), uuid.New()
	exec(`INSERT INTO executions (id, workflow_name, status, created_at, started_at, completed_at)
		VALUES (?, 'add', 'Failed', now() - interval '2 days', now() - interval '2 days', now() - interval '2 days')`, recent)
	exec(`INSERT INTO executions (id, workflow_name, status, created_at, started_at, heartbeat_at, timeout_seconds, worker)
		VALUES (?, 'add', 'Running', now() - interval '50 days', now() - interval '50 days', now(), 60, 'busy-host/1')`, running)
	exec(`INSERT INTO executions (id, workflow_name, status, transient, created_at, started_at, completed_at)
		VALUES (?, 'add', 'Success', true, now() - interval '2 hours', now() - interval '2 hours', now() - interval '2 hours')`, transient)

	require.NoError(t, f.app.Executions.Retain(ctx))
	var left, logs int
	require.NoError(t, f.app.Env.DB.QueryRowContext(ctx, `SELECT count(*) FROM executions`).Scan(&left))
	require.NoError(t, f.app.Env.DB.QueryRowContext(ctx, `SELECT count(*) FROM execution_logs`).Scan(&logs))
	require.Equal(t, 2, left, "the recent and the running execution stay; old ones and a transient one past an hour go")
	require.Zero(t, logs, "their logs go with them")
	require.Equal(t, executions.StatusFailed, f.waitFor(f.admin, recent.String()).Status)

	// The running one is long past its 60 s timeout although its worker
	// still beats: the reconciler ends it and says why.
	require.NoError(t, f.app.Executions.Reconcile(ctx))
	d := f.waitFor(f.admin, running.String())
	require.Equal(t, executions.StatusTimeout, d.Status)
	require.Equal(t, "Timeout", d.Error.Type)
	require.NotEmpty(t, d.Logs)
	require.Contains(t, d.Logs[len(d.Logs)-1].Message, "Bifrost marked this execution timed out")
}
