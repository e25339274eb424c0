package executions

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/bifrost-automation/bifrost/modules/workflows"
	"github.com/bifrost-automation/bifrost/platform/db"
	"github.com/bifrost-automation/bifrost/platform/errs"
)

type store struct{ db *db.DB }

var errNotFound = errs.NotFound("executions.not_found", "No execution has this id.")

func (s *store) insert(ctx context.Context, idb bun.IDB, e *execution) error {
	if _, err := idb.NewInsert().Model(e).Returning("created_at, updated_at").Exec(ctx); err != nil {
		return fmt.Errorf("executions store: insert: %w", err)
	}
	return nil
}

func (s *store) get(ctx context.Context, id uuid.UUID) (*execution, error) {
	e := new(execution)
	if err := s.db.NewSelect().Model(e).Where("id = ?", id).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, errNotFound
		}
		return nil, fmt.Errorf("executions store: get: %w", err)
	}
	return e, nil
}

// claim moves a Pending execution to Running for worker; claimed is false
// when it is not Pending any more (cancelled, or taken).
func (s *store) claim(ctx context.Context, id uuid.UUID, worker string) (*execution, bool, error) {
	e := new(execution)
	err := s.db.NewUpdate().Model(e).
		Set("status = ?, worker = ?, started_at = now(), heartbeat_at = now(), attempts = attempts + 1", StatusRunning, worker).
		Where("id = ? AND status = ?", id, StatusPending).Returning("*").Scan(ctx)
	if db.IsNoRows(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("executions store: claim: %w", err)
	}
	return e, true, nil
}

// heartbeat marks running executions alive and returns those asked to
// stop.
func (s *store) heartbeat(ctx context.Context, ids []uuid.UUID) ([]uuid.UUID, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	_, err := s.db.NewUpdate().Model((*execution)(nil)).Set("heartbeat_at = now()").
		Where("id IN (?) AND status IN (?)", bun.List(ids), bun.List([]string{StatusRunning, StatusCancelling})).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("executions store: heartbeat: %w", err)
	}
	var cancelling []uuid.UUID
	err = s.db.NewSelect().Model((*execution)(nil)).Column("id").
		Where("id IN (?) AND status = ?", bun.List(ids), StatusCancelling).Scan(ctx, &cancelling)
	if err != nil && !db.IsNoRows(err) {
		return nil, fmt.Errorf("executions store: heartbeat: %w", err)
	}
	return cancelling, nil
}

// finish records how a run ended, if the execution is still the worker's
// (Running or Cancelling); ok is false when something else ended it.
func (s *store) finish(ctx context.Context, id uuid.UUID, res *workflows.Result, logCount int) (*execution, bool, error) {
	e := new(execution)
	status := res.Status
	q := s.db.NewUpdate().Model(e).
		Set("status = ?, completed_at = now(), duration_ms = ?, log_count = ?", status, float64(res.Duration.Microseconds())/1000, logCount).
		Set("result = ?, result_type = ?, error = ?, variables = ?", nullJSON(res.Result), nullString(res.ResultType), jsonOrNil(res.Error), jsonOrNil(res.Variables)).
		Where("id = ? AND status IN (?)", id, bun.List([]string{StatusRunning, StatusCancelling})).Returning("*")
	if err := q.Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("executions store: finish: %w", err)
	}
	return e, true, nil
}

// end marks an execution ended with status and a reason, from any of the
// given statuses (a worker that vanished, a cancelled Pending one).
func (s *store) end(ctx context.Context, id uuid.UUID, from []string, status string, reason *workflows.RunError) (*execution, bool, error) {
	e := new(execution)
	err := s.db.NewUpdate().Model(e).
		Set("status = ?, completed_at = now(), error = ?", status, jsonOrNil(reason)).
		Set("duration_ms = CASE WHEN started_at IS NULL THEN NULL ELSE extract(epoch FROM now() - started_at) * 1000 END").
		Where("id = ? AND status IN (?)", id, bun.List(from)).Returning("*").Scan(ctx)
	if db.IsNoRows(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("executions store: end: %w", err)
	}
	return e, true, nil
}

// markCancelling asks the worker running an execution to stop it.
func (s *store) markCancelling(ctx context.Context, id uuid.UUID) (*execution, bool, error) {
	e := new(execution)
	err := s.db.NewUpdate().Model(e).Set("status = ?", StatusCancelling).
		Where("id = ? AND status = ?", id, StatusRunning).Returning("*").Scan(ctx)
	if db.IsNoRows(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("executions store: cancel: %w", err)
	}
	return e, true, nil
}

func (s *store) insertLogs(ctx context.Context, rows []logRow) error {
	if len(rows) == 0 {
		return nil
	}
	if _, err := s.db.NewInsert().Model(&rows).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
		return fmt.Errorf("executions store: logs: %w", err)
	}
	return nil
}

// logs returns up to limit lines after seq, without the admin-only
// levels unless admin.
func (s *store) logs(ctx context.Context, id uuid.UUID, after int64, limit int, admin bool) ([]LogLine, error) {
	var rows []logRow
	q := s.db.NewSelect().Model(&rows).Where("execution_id = ? AND seq > ?", id, after).OrderExpr("seq").Limit(int64(limit))
	if !admin {
		q = q.Where("level NOT IN ('debug', 'traceback')")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("executions store: read logs: %w", err)
	}
	out := make([]LogLine, len(rows))
	for i := range rows {
		out[i] = toLine(&rows[i])
	}
	return out, nil
}

// listFilter narrows the history.
type listFilter struct {
	Org        *uuid.UUID // nil with AllOrgs false: global executions only
	AllOrgs    bool
	User       *uuid.UUID
	Workflow   string
	Statuses   []string
	Form       *uuid.UUID
	Since      *time.Time
	Until      *time.Time
	AfterTime  *time.Time
	AfterID    uuid.UUID
	Limit      int
	ParentOnly *uuid.UUID
	// WithTransient includes transient executions.
	WithTransient bool
}

func (s *store) list(ctx context.Context, f listFilter) ([]execution, error) {
	var rows []execution
	q := s.db.NewSelect().Model(&rows).ExcludeColumn("variables", "result", "input").
		OrderExpr("created_at DESC, id DESC").Limit(int64(f.Limit))
	switch {
	case f.Org != nil:
		q = q.Where("organization_id = ?", *f.Org)
	case !f.AllOrgs:
		q = q.Where("organization_id IS NULL")
	}
	if f.User != nil {
		q = q.Where("user_id = ?", *f.User)
	}
	if !f.WithTransient {
		q = q.Where("NOT transient")
	}
	if f.Workflow != "" {
		q = q.Where("workflow_name = ?", f.Workflow)
	}
	if len(f.Statuses) > 0 {
		q = q.Where("status IN (?)", bun.List(f.Statuses))
	}
	if f.Form != nil {
		q = q.Where("form_id = ?", *f.Form)
	}
	if f.ParentOnly != nil {
		q = q.Where("parent_id = ?", *f.ParentOnly)
	}
	if f.Since != nil {
		q = q.Where("created_at >= ?", *f.Since)
	}
	if f.Until != nil {
		q = q.Where("created_at < ?", *f.Until)
	}
	if f.AfterTime != nil {
		q = q.Where("(created_at, id) < (?, ?)", *f.AfterTime, f.AfterID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("executions store: list: %w", err)
	}
	return rows, nil
}

// stale returns executions the reconciler must look at.
func (s *store) pendingToRepublish(ctx context.Context, olderThan time.Time, limit int) ([]execution, error) {
	var rows []execution
	err := s.db.NewSelect().Model(&rows).Column("id", "workflow_name", "kind", "organization_id", "user_id", "input", "created_at").
		Where("status = ? AND created_at < ? AND (republished_at IS NULL OR republished_at < ?)", StatusPending, olderThan, olderThan).
		OrderExpr("created_at").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("executions store: pending: %w", err)
	}
	return rows, nil
}

func (s *store) markRepublished(ctx context.Context, ids []uuid.UUID) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.db.NewUpdate().Model((*execution)(nil)).Set("republished_at = now()").Where("id IN (?)", bun.List(ids)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("executions store: republished: %w", err)
	}
	return nil
}

func (s *store) orphaned(ctx context.Context, heartbeatBefore time.Time, limit int) ([]execution, error) {
	var rows []execution
	err := s.db.NewSelect().Model(&rows).Column("id", "status", "worker", "heartbeat_at", "organization_id", "user_id", "workflow_name").
		Where("status IN (?) AND (heartbeat_at IS NULL OR heartbeat_at < ?)", bun.List([]string{StatusRunning, StatusCancelling}), heartbeatBefore).
		OrderExpr("heartbeat_at NULLS FIRST").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("executions store: orphaned: %w", err)
	}
	return rows, nil
}

// overdue returns executions still running well past their timeout.
func (s *store) overdue(ctx context.Context, grace time.Duration, limit int) ([]execution, error) {
	var rows []execution
	err := s.db.NewSelect().Model(&rows).Column("id", "status", "timeout_seconds", "organization_id", "user_id", "workflow_name").
		Where("status IN (?)", bun.List([]string{StatusRunning, StatusCancelling})).
		Where("started_at + make_interval(secs => timeout_seconds) + ?::interval < now()", fmt.Sprintf("%d seconds", int(grace.Seconds()))).
		Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("executions store: overdue: %w", err)
	}
	return rows, nil
}

// deleteOld deletes up to limit finished executions (and, by cascade,
// their logs) completed before cutoff.
func (s *store) deleteOld(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM executions WHERE id IN (
		SELECT id FROM executions WHERE completed_at IS NOT NULL
		   AND (completed_at < ? OR (transient AND completed_at < now() - interval '1 hour'))
		 ORDER BY completed_at LIMIT ?)`, cutoff, limit)
	if err != nil {
		return 0, fmt.Errorf("executions store: retention: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

func nullJSON(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func jsonOrNil(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case *workflows.RunError:
		if x == nil {
			return nil
		}
	case map[string]any:
		if x == nil {
			return nil
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return string(b)
}
