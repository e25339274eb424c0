package workflows

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/google/uuid"
)

// The statuses a run ends with (SDK.md).
const (
	StatusSuccess             = "Success"
	StatusFailed              = "Failed"
	StatusCompletedWithErrors = "CompletedWithErrors"
	StatusTimeout             = "Timeout"
	StatusCancelled           = "Cancelled"
)

// Caller is who a run acts as, and for which organization.
type Caller struct {
	UserID      uuid.UUID
	Email       string
	Name        string
	IsSuperuser bool
	// UserOrganizationID is the user's own organization (nil for platform
	// admins).
	UserOrganizationID *uuid.UUID
	// Organization is the organization the run is for; nil is the global
	// scope.
	Organization *Org
	// FunctionKey marks runs started by an API key rather than a person.
	FunctionKey bool
}

// Org is the organization a run is for.
type Org struct {
	ID       uuid.UUID `json:"id"`
	Name     string    `json:"name"`
	IsActive bool      `json:"is_active"`
}

// RunRequest is one run of a workflow or data provider.
type RunRequest struct {
	ExecutionID string
	Kind        string // KindWorkflow (default) or KindDataProvider
	Name        string
	Inputs      map[string]any
	Caller      Caller
	// Timeout ends the run with status Timeout; 0 uses the workflow's
	// timeout_seconds.
	Timeout time.Duration
	// Startup is the form's launch-workflow result (context.startup).
	Startup any
	// OnLog receives the run's log lines in order as they happen.
	OnLog func(LogLine)
	// NoVariables skips capturing the workflow's variables.
	NoVariables bool
	// Nested runs (workflows.execute() from a run) do not wait for a free
	// slot: the run that asked holds one, and waiting could deadlock.
	Nested bool
}

// LogLine is one line of a run's log.
type LogLine struct {
	Seq     int64     `json:"seq"`
	Level   string    `json:"level" enum:"debug,info,warning,error,traceback"`
	Message string    `json:"message"`
	Data    any       `json:"data,omitempty"`
	Time    time.Time `json:"time"`
	Logger  string    `json:"logger,omitempty"`
}

// Result is how a run ended.
type Result struct {
	Status     string          `json:"status"`
	Result     json.RawMessage `json:"result,omitempty"`
	ResultType string          `json:"result_type,omitempty" enum:"json,html,text"`
	Error      *RunError       `json:"error,omitempty"`
	Variables  map[string]any  `json:"variables,omitempty"`
	// Duration is from the fork to the end of the run.
	Duration time.Duration `json:"duration"`
	// UserCode is how long the workflow itself took, as the run measured.
	UserCodeMs float64 `json:"user_code_ms"`
	ExitCode   *int    `json:"exit_code,omitempty"`
	Signal     *int    `json:"signal,omitempty"`
}

// RunError says why a run failed. Message is for the user; Detail (an
// exception's type and text) for admins.
type RunError struct {
	Type    string       `json:"type"`
	Message string       `json:"message"`
	Detail  string       `json:"detail,omitempty"`
	Errors  []InputError `json:"errors,omitempty"`
}

// InputError is one invalid input.
type InputError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

type childMessage struct {
	T          string          `json:"t"`
	ID         int64           `json:"id"`
	Method     string          `json:"method"`
	Args       json.RawMessage `json:"args"`
	Seq        int64           `json:"seq"`
	Level      string          `json:"level"`
	Message    string          `json:"message"`
	Data       json.RawMessage `json:"data"`
	Time       float64         `json:"time"`
	Logger     string          `json:"logger"`
	Status     string          `json:"status"`
	Result     json.RawMessage `json:"result"`
	ResultType string          `json:"result_type"`
	Error      *RunError       `json:"error"`
	Variables  map[string]any  `json:"variables"`
	DurationMs float64         `json:"duration_ms"`
}

// run is one run in progress.
type run struct {
	pool  *Pool
	req   RunRequest
	child *child
	calls *callContext

	mu      sync.Mutex
	seq     int64
	secrets []string // values handed to the run: scrubbed from its logs and result
}

// log delivers a line, scrubbed, in order.
func (r *run) log(l LogLine) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	l.Seq = r.seq
	l.Message = scrubString(l.Message, r.secrets)
	l.Data = scrubAny(l.Data, r.secrets)
	if r.req.OnLog != nil {
		r.req.OnLog(l)
	}
}

func (r *run) remember(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		if len(v) >= 4 {
			r.secrets = append(r.secrets, v)
		}
	}
}

func (r *run) secretValues() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.secrets...)
}

// execute talks with the forked child until it has sent its result and
// closed its socket (or ended), enforcing the timeout and cancellation. The
// child's process is reaped in the background; done runs once it has ended.
func (r *run) execute(ctx context.Context, timeout time.Duration, start map[string]any, done func()) (*Result, error) {
	c := r.child
	began := time.Now()
	b, _ := json.Marshal(start)
	if _, err := c.conn.Write(append(b, '\n')); err != nil {
		go r.reap(done)
		return nil, fmt.Errorf("workflows: start the run: %w", err)
	}

	// Raw output (a program the workflow started writing to fd 1 or 2)
	// becomes info lines.
	outDone := make(chan struct{})
	go func() {
		defer close(outDone)
		sc := bufio.NewScanner(c.out)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			r.log(LogLine{Level: "info", Message: sc.Text(), Time: time.Now()})
		}
	}()

	messages := make(chan childMessage, 64)
	go func() {
		defer close(messages)
		dec := json.NewDecoder(bufio.NewReaderSize(c.conn, 1<<16))
		for {
			var m childMessage
			if err := dec.Decode(&m); err != nil {
				return
			}
			messages <- m
		}
	}()

	var result *childMessage
	var why string // timeout or cancelled, once the run is being stopped
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	var kill <-chan time.Time
	stop := func(reason string) {
		if why != "" {
			return
		}
		why = reason
		c.signal(syscall.SIGTERM)
		kill = time.After(r.pool.killGrace)
	}
	var exit *exitStatus
	cancelled := ctx.Done()
	for messages != nil && exit == nil {
		select {
		case m, ok := <-messages:
			if !ok {
				messages = nil // the child closed its socket: it is done
				continue
			}
			r.handle(ctx, m, &result)
			if result != nil {
				// The result is the run's last word: it closes its socket next.
				messages = nil
			}
		case <-deadline.C:
			stop(StatusTimeout)
		case <-cancelled:
			cancelled = nil
			stop(StatusCancelled)
		case <-kill:
			c.signal(syscall.SIGKILL)
			kill = nil
		case <-c.ended:
			e := c.status
			exit = &e
		}
	}
	if exit == nil && why != "" {
		// It was stopped: wait for its end, to report how it ended.
		select {
		case <-c.ended:
			e := c.status
			exit = &e
		case <-time.After(r.pool.killGrace + 2*time.Second):
		}
	}
	if exit != nil && messages != nil {
		// It ended: take what it sent before it went. A process it started
		// may hold the socket: do not wait on it long.
		_ = c.conn.SetReadDeadline(time.Now().Add(time.Second))
		for m := range messages {
			r.handle(ctx, m, &result)
		}
	}
	// What the output pipe holds now was written before the run ended.
	_ = c.out.SetReadDeadline(time.Now())
	<-outDone
	elapsed := time.Since(began)
	go r.reap(done)

	res := &Result{Duration: elapsed}
	if exit != nil {
		res.ExitCode, res.Signal = exit.Code, exit.Signal
	}
	secrets := r.secretValues()
	switch {
	case why == StatusTimeout:
		res.Status = StatusTimeout
		res.Error = &RunError{Type: "Timeout", Message: fmt.Sprintf("The workflow did not finish within %s and was stopped.", timeout.Round(time.Second))}
	case why == StatusCancelled && (result == nil || result.Status == StatusCancelled):
		res.Status = StatusCancelled
		res.Error = &RunError{Type: "Cancelled", Message: "The execution was cancelled."}
	case result != nil:
		res.Status, res.ResultType, res.UserCodeMs = result.Status, result.ResultType, result.DurationMs
		res.Result = scrubJSON(result.Result, secrets)
		res.Error = result.Error
		if res.Error != nil {
			res.Error.Message = scrubString(res.Error.Message, secrets)
			res.Error.Detail = scrubString(res.Error.Detail, secrets)
		}
		if v, ok := scrubAny(result.Variables, secrets).(map[string]any); ok {
			res.Variables = v
		}
	default:
		e := exitStatus{lost: true}
		if exit != nil {
			e = *exit
		}
		res.Status = StatusFailed
		res.Error = &RunError{Type: "Crashed", Message: "The workflow failed. An administrator can see the details in the execution's logs.",
			Detail: exitDetail(e)}
		r.log(LogLine{Level: "error", Message: "The workflow process ended without a result: " + exitDetail(e), Time: time.Now()})
	}
	return res, nil
}

// handle takes one message of the child.
func (r *run) handle(ctx context.Context, m childMessage, result **childMessage) {
	switch m.T {
	case "log":
		r.log(LogLine{Level: normalLevel(m.Level), Message: m.Message, Data: rawToAny(m.Data), Time: unixTime(m.Time), Logger: m.Logger})
	case "call":
		reply := r.calls.handle(ctx, r, m.Method, m.Args)
		reply["t"], reply["id"] = "reply", m.ID
		b, err := json.Marshal(reply)
		if err == nil {
			_, err = r.child.conn.Write(append(b, '\n'))
		}
		if err != nil {
			r.pool.log.Debug("workflows: reply to a run", "error", err)
		}
	case "result":
		mm := m
		*result = &mm
	}
}

// reap waits for the child's process to end (killing it if it lingers
// after its result), ends what it started, and releases the run's slot.
func (r *run) reap(done func()) {
	c := r.child
	defer done()
	defer c.conn.Close()
	defer c.out.Close()
	pid, ok := c.wait()
	if !ok {
		return
	}
	select {
	case <-c.ended:
	case <-time.After(r.pool.killGrace):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-c.ended
	}
	// Its process group may hold programs it started: they end with it.
	_ = syscall.Kill(-pid, syscall.SIGKILL)
}

func exitDetail(e exitStatus) string {
	switch {
	case e.lost:
		return "the Python zygote stopped while the run was going"
	case e.Signal != nil && *e.Signal == int(syscall.SIGKILL):
		return "killed (signal 9): out of memory, or over its CPU time"
	case e.Signal != nil && *e.Signal == int(syscall.SIGXCPU):
		return "stopped at its CPU time limit (SIGXCPU)"
	case e.Signal != nil:
		return fmt.Sprintf("killed by signal %d (%s)", *e.Signal, syscall.Signal(*e.Signal))
	case e.Code != nil:
		return fmt.Sprintf("exited with code %d", *e.Code)
	}
	return "ended"
}

func normalLevel(l string) string {
	switch l {
	case "debug", "info", "warning", "error", "traceback":
		return l
	case "critical":
		return "error"
	}
	return "info"
}

func unixTime(f float64) time.Time {
	if f <= 0 {
		return time.Now()
	}
	return time.Unix(0, int64(f*1e9))
}

func rawToAny(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	var v any
	if json.Unmarshal(b, &v) != nil {
		return nil
	}
	return v
}

// Scrubbing: a secret handed to a run never leaves it in a log line or
// result.
const scrubbed = "***"

func scrubString(s string, secrets []string) string {
	for _, v := range secrets {
		if v != "" && strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, scrubbed)
		}
	}
	return s
}

func scrubAny(v any, secrets []string) any {
	if len(secrets) == 0 {
		return v
	}
	switch x := v.(type) {
	case string:
		return scrubString(x, secrets)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = scrubAny(e, secrets)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = scrubAny(e, secrets)
		}
		return out
	}
	return v
}

func scrubJSON(b json.RawMessage, secrets []string) json.RawMessage {
	if len(b) == 0 || len(secrets) == 0 {
		return b
	}
	var v any
	if json.Unmarshal(b, &v) != nil {
		return b
	}
	out, err := json.Marshal(scrubAny(v, secrets))
	if err != nil {
		return b
	}
	return out
}

// tempDir is the run's temp folder (files location "temp"); the run
// creates it when it first uses it.
func tempDir(base, runID string) string {
	return filepath.Join(base, "runs", runID)
}
