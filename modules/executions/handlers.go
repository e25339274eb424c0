package executions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"

	"github.com/bifrost-automation/bifrost/modules/workflows"
	"github.com/bifrost-automation/bifrost/platform/bus"
)

// errCancelledByUser is the cause of a run's cancellation that a user
// asked for (any other cause is the worker stopping).
var errCancelledByUser = errors.New("cancelled by a user")

// RegisterHandlers implements app.HandlerModule: the worker consumes
// workflow.executions, as many at once as the runner pool runs.
func (m *Module) RegisterHandlers(r *bus.Router) error {
	return r.Add(bus.Handler{
		Name: "executions.run", Topic: bus.TopicWorkflowExecutions, Concurrency: m.concurrency,
		Func: m.handle, OnDeadLetter: m.deadLettered,
	})
}

// StartWorker implements app.WorkerModule: it keeps the running
// executions' heartbeats and watches for their cancellation.
func (m *Module) StartWorker(ctx context.Context) (func(), error) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(m.cfg.HeartbeatInterval.D())
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				m.beat(ctx)
			}
		}
	}()
	return func() { cancel(); <-done }, nil
}

// beat marks this worker's runs alive and stops those a user cancelled
// (in case the Redis announcement was missed).
func (m *Module) beat(ctx context.Context) {
	m.mu.Lock()
	ids := make([]uuid.UUID, 0, len(m.running))
	for id := range m.running {
		ids = append(ids, id)
	}
	m.mu.Unlock()
	cancelling, err := m.store.heartbeat(ctx, ids)
	if err != nil {
		m.log.Warn("executions: heartbeat", "error", err)
		return
	}
	for _, id := range cancelling {
		m.cancelLocal(id)
	}
}

// cancelLocal stops a run of this process, if it has it.
func (m *Module) cancelLocal(id uuid.UUID) {
	m.mu.Lock()
	cancel := m.running[id]
	m.mu.Unlock()
	if cancel != nil {
		cancel(errCancelledByUser)
	}
}

// handle runs one queued execution. It acknowledges the message once the
// outcome is recorded.
func (m *Module) handle(ctx context.Context, msg *message.Message) error {
	var mm queueMessage
	if err := json.Unmarshal(msg.Payload, &mm); err != nil || mm.ExecutionID == uuid.Nil {
		return bus.Permanent(fmt.Errorf("an execution message that cannot be read: %v", err))
	}
	e, claimed, err := m.store.claim(ctx, mm.ExecutionID, m.worker)
	if err != nil {
		return err // the database is unreachable: retried, then dead-lettered
	}
	if !claimed {
		return m.unclaimed(ctx, mm.ExecutionID)
	}
	m.publishChange(context.WithoutCancel(ctx), e)
	runner := m.runner()
	if runner == nil {
		return bus.Requeue(errors.New("this process runs no workflows"))
	}
	return m.run(ctx, runner, e, false)
}

// unclaimed decides about a message whose execution is not Pending.
func (m *Module) unclaimed(ctx context.Context, id uuid.UUID) error {
	e, err := m.store.get(ctx, id)
	if err != nil {
		if errors.Is(err, errNotFound) {
			return nil // deleted meanwhile
		}
		return err
	}
	if Terminal(e.Status) {
		return nil // ran already, or cancelled: a duplicate message
	}
	m.mu.Lock()
	_, mine := m.running[id]
	m.mu.Unlock()
	if mine {
		return nil
	}
	// Another worker holds it. Its broker connection dropped (which is why
	// the message came back); if it stopped beating too, it is gone.
	if e.HeartbeatAt != nil && time.Since(*e.HeartbeatAt) > m.cfg.HeartbeatTimeout.D() {
		m.vanished(ctx, e)
	}
	return nil
}

// vanished fails an execution whose worker stopped.
func (m *Module) vanished(ctx context.Context, e *execution) {
	reason := &workflows.RunError{Type: "WorkerLost",
		Message: "The worker running this execution stopped before it finished. Run it again.",
		Detail:  "worker " + e.Worker + " stopped sending heartbeats"}
	status := StatusFailed
	if e.Status == StatusCancelling {
		status, reason = StatusCancelled, &workflows.RunError{Type: "Cancelled", Message: "The execution was cancelled."}
	}
	if ended, ok, err := m.store.end(ctx, e.ID, []string{StatusRunning, StatusCancelling}, status, reason); err == nil && ok {
		m.log.Warn("executions: the worker of an execution vanished", "execution", e.ID, "worker", e.Worker)
		m.publishChange(context.WithoutCancel(ctx), ended)
	}
}

// caller is who a run acts as: the identity frozen at submission.
func callerOf(e *execution) workflows.Caller {
	c := workflows.Caller{Email: e.UserEmail, Name: e.UserName, IsSuperuser: e.UserIsAdmin, UserOrganizationID: e.UserOrgID,
		FunctionKey: e.APIKeyID != nil}
	if e.UserID != nil {
		c.UserID = *e.UserID
	}
	if e.OrganizationID != nil {
		c.Organization = &workflows.Org{ID: *e.OrganizationID, Name: e.OrgName, IsActive: true}
	}
	return c
}

// run runs a claimed execution and records how it ended. A nested one
// (workflows.execute) runs inside its parent's slot.
func (m *Module) run(ctx context.Context, runner Runner, e *execution, nested bool) error {
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	m.mu.Lock()
	m.running[e.ID] = cancel
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		delete(m.running, e.ID)
		m.mu.Unlock()
	}()

	logs := newLogWriter(m, e.ID)
	req := workflows.RunRequest{ExecutionID: e.ID.String(), Kind: e.Kind, Name: e.WorkflowName, Inputs: e.Input, Caller: callerOf(e),
		Timeout: time.Duration(e.TimeoutSeconds) * time.Second, OnLog: logs.add, Nested: nested}
	res, err := runner.Run(runCtx, req)
	logCount := logs.close()
	if err != nil {
		res = &workflows.Result{Status: workflows.StatusFailed, Error: &workflows.RunError{Type: "NotRun", Message: "The workflow could not be run.",
			Detail: err.Error()}}
		if ctx.Err() != nil {
			res.Error.Message, res.Error.Type = "The worker stopped before the execution started. Run it again.", "WorkerStopped"
		}
	}
	if res.Status == workflows.StatusCancelled && !errors.Is(context.Cause(runCtx), errCancelledByUser) {
		// Not a user's cancellation: the worker is shutting down.
		res.Status = workflows.StatusFailed
		res.Error = &workflows.RunError{Type: "WorkerStopped", Message: "The worker stopped while the execution was running. Run it again."}
	}
	// The outcome is recorded even if the worker is stopping.
	wctx, wcancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer wcancel()
	var ended *execution
	var ok bool
	for attempt := 0; ; attempt++ {
		ended, ok, err = m.store.finish(wctx, e.ID, res, logCount)
		if err == nil || attempt == 4 {
			break
		}
		select {
		case <-wctx.Done():
		case <-time.After(time.Duration(200*(attempt+1)) * time.Millisecond):
		}
	}
	if err != nil {
		return err
	}
	if ok {
		m.publishChange(wctx, ended)
	}
	return nil
}

// deadLettered fails the execution of a message that kept failing.
func (m *Module) deadLettered(ctx context.Context, _ string, msg *message.Message, reason error) {
	// Only the id: the rest of the message may be what was wrong with it.
	var mm struct {
		ExecutionID uuid.UUID `json:"execution_id"`
	}
	if json.Unmarshal(msg.Payload, &mm) != nil || mm.ExecutionID == uuid.Nil {
		return
	}
	why := "unknown"
	if reason != nil {
		why = reason.Error()
	}
	ctx = context.WithoutCancel(ctx)
	ended, ok, err := m.store.end(ctx, mm.ExecutionID, []string{StatusPending, StatusRunning, StatusCancelling}, StatusFailed,
		&workflows.RunError{Type: "DeadLettered", Message: "Bifrost could not run this execution; an administrator can see why.", Detail: why})
	if err != nil {
		m.log.Error("executions: record a dead-lettered execution", "execution", mm.ExecutionID, "error", err)
		return
	}
	if ok {
		m.publishChange(ctx, ended)
	}
}

// logWriter stores a run's log lines in batches and publishes each batch
// to its live viewers.
type logWriter struct {
	m  *Module
	id uuid.UUID

	mu       sync.Mutex
	pending  []logRow
	count    int
	wake     chan struct{}
	quit     chan struct{}
	quitOnce sync.Once
	done     chan struct{}
}

func newLogWriter(m *Module, id uuid.UUID) *logWriter {
	w := &logWriter{m: m, id: id, wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go w.loop()
	return w
}

func (w *logWriter) add(l workflows.LogLine) {
	w.mu.Lock()
	w.pending = append(w.pending, logRow{ExecutionID: w.id, Seq: l.Seq, Level: l.Level, Message: l.Message, Data: l.Data,
		Logger: l.Logger, LoggedAt: l.Time})
	w.count++
	full := len(w.pending) >= 200
	w.mu.Unlock()
	if full {
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

func (w *logWriter) loop() {
	defer close(w.done)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-w.wake:
			w.flush()
		case <-t.C:
			w.flush()
		case <-w.quit:
			return
		}
	}
}

// flush writes what is pending.
func (w *logWriter) flush() {
	w.mu.Lock()
	batch := w.pending
	w.pending = nil
	w.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := w.m.store.insertLogs(ctx, batch); err != nil {
		w.m.log.Error("executions: store log lines", "execution", w.id, "lines", len(batch), "error", err)
	}
	lines := make([]LogLine, len(batch))
	for i := range batch {
		lines[i] = toLine(&batch[i])
	}
	w.m.publishLines(ctx, w.id, lines)
}

// close stops the batching, writes the rest and returns how many lines
// there were.
func (w *logWriter) close() int {
	w.quitOnce.Do(func() { close(w.quit) })
	<-w.done
	w.flush()
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.count
}
