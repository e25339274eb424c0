package executions

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/bifrost-automation/bifrost/modules/workflows"
	"github.com/bifrost-automation/bifrost/platform/scheduler"
)

// RegisterJobs implements app.JobModule: the reconciler, which makes sure no
// execution is lost or stuck, and retention.
func (m *Module) RegisterJobs(s *scheduler.Scheduler) error {
	if err := s.Add(scheduler.Job{Name: "executions.reconcile", Every: 5 * time.Second, Run: m.Reconcile}); err != nil {
		return err
	}
	return s.Add(scheduler.Job{Name: "executions.retention", Cron: "23 * * * *", Run: m.Retain})
}

// Reconcile publishes again executions whose message was lost, fails those
// whose worker vanished, and times out those running far past their
// timeout.
func (m *Module) Reconcile(ctx context.Context) error {
	now := time.Now()
	pending, err := m.store.pendingToRepublish(ctx, now.Add(-m.cfg.RepublishAfter.D()), 500)
	if err != nil {
		return err
	}
	var republished []uuid.UUID
	for i := range pending {
		if err := m.publish(ctx, &pending[i]); err != nil {
			m.log.Warn("executions: publish a waiting execution again", "execution", pending[i].ID, "error", err)
			break
		}
		republished = append(republished, pending[i].ID)
	}
	if err := m.store.markRepublished(ctx, republished); err != nil {
		return err
	}
	if len(republished) > 0 {
		m.log.Info("executions: published waiting executions again", "count", len(republished))
	}

	orphans, err := m.store.orphaned(ctx, now.Add(-m.cfg.HeartbeatTimeout.D()), 500)
	if err != nil {
		return err
	}
	for i := range orphans {
		m.vanished(ctx, &orphans[i])
	}

	overdue, err := m.store.overdue(ctx, m.cfg.HeartbeatTimeout.D()+time.Minute, 500)
	if err != nil {
		return err
	}
	for _, e := range overdue {
		reason := &workflows.RunError{Type: "Timeout", Message: "The execution ran far past its timeout and was marked timed out.",
			Detail: "still running " + (time.Duration(e.TimeoutSeconds)*time.Second + m.cfg.HeartbeatTimeout.D() + time.Minute).String() + " after it started"}
		ended, ok, err := m.store.end(ctx, e.ID, []string{StatusRunning, StatusCancelling}, StatusTimeout, reason)
		if err != nil {
			return err
		}
		if ok {
			m.cancelLocal(e.ID)
			_ = m.store.insertLogs(ctx, []logRow{{ExecutionID: e.ID, Seq: 1 << 40, Level: "error", LoggedAt: time.Now(),
				Message: "Bifrost marked this execution timed out: it was still running well past its timeout of " +
					(time.Duration(e.TimeoutSeconds) * time.Second).String() + "."}})
			m.publishChange(ctx, ended)
		}
	}
	return nil
}

// Retain deletes finished executions (with their logs) older than the
// retention, a thousand at a time, so the database is never locked long.
func (m *Module) Retain(ctx context.Context) error {
	cutoff := time.Unix(0, 0)
	if r := m.cfg.Retention.D(); r > 0 {
		cutoff = time.Now().Add(-r)
	}
	total := 0
	for ctx.Err() == nil {
		n, err := m.store.deleteOld(ctx, cutoff, 1000)
		if err != nil {
			return err
		}
		total += n
		if n < 1000 {
			break
		}
		time.Sleep(50 * time.Millisecond) // let other work in between batches
	}
	if total > 0 {
		m.log.Info("executions: deleted old executions", "count", total)
	}
	return nil
}
