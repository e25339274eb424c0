package executions

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/bifrost-automation/bifrost/platform/app"
	"github.com/bifrost-automation/bifrost/platform/errs"
)

// The calls a running workflow makes (the SDK's workflows.execute,
// executions.list and executions.get), with the execution's identity and
// organization in ctx.

// RuntimeExecute runs another workflow as the same user and organization,
// recorded as its own execution linked to the caller's, and returns its
// result. It runs in the worker that asked, without the queue, so a
// workflow waiting for another can never wait for a free worker.
func (m *Module) RuntimeExecute(ctx context.Context, name string, params map[string]any) (any, error) {
	runner := m.runner()
	if runner == nil {
		return nil, errs.Unavailable("executions.no_runner", "Nested runs need a worker.")
	}
	parentID, err := uuid.Parse(app.ExecutionFrom(ctx))
	if err != nil {
		return nil, errs.Invalid("executions.no_parent", "workflows.execute() works from a running execution.")
	}
	depth, err := m.depth(ctx, parentID)
	if err != nil {
		return nil, err
	}
	if depth >= m.cfg.MaxNesting {
		return nil, errs.Newf(errs.KindConflict, "executions.too_deep", "Workflows may call each other %d deep at most (executions.max_nesting).", m.cfg.MaxNesting)
	}
	sub, err := m.prepare(ctx, SubmitInput{Name: name, Inputs: params, ParentID: &parentID, Trigger: "nested"})
	if err != nil {
		return nil, err
	}
	e := sub.exec
	claimed, ok, err := m.store.claim(ctx, e.ID, m.worker)
	if err != nil || !ok {
		return nil, fmt.Errorf("executions: start nested run: %v", err)
	}
	m.publishChange(context.WithoutCancel(ctx), claimed)
	if err := m.run(ctx, runner, claimed, true); err != nil {
		return nil, err
	}
	ended, err := m.store.get(context.WithoutCancel(ctx), e.ID)
	if err != nil {
		return nil, err
	}
	switch ended.Status {
	case StatusSuccess, StatusCompletedWithErrors:
		return resultOf(ended), nil
	}
	msg := fmt.Sprintf("The workflow %s ended %s", name, ended.Status)
	if ended.Error != nil && ended.Error.Message != "" {
		msg += ": " + ended.Error.Message
	}
	return nil, errs.New(errs.KindConflict, "executions.nested_failed", msg)
}

// depth counts the executions above id.
func (m *Module) depth(ctx context.Context, id uuid.UUID) (int, error) {
	var n int
	err := m.db.NewRaw(`WITH RECURSIVE up(id, parent_id, n) AS (
		SELECT id, parent_id, 1 FROM executions WHERE id = ?
		UNION ALL SELECT e.id, e.parent_id, up.n + 1 FROM executions e JOIN up ON e.id = up.parent_id WHERE up.n < 100
	) SELECT coalesce(max(n), 0) FROM up`, id).Scan(ctx, &n)
	if err != nil {
		return 0, fmt.Errorf("executions: nesting depth: %w", err)
	}
	return n, nil
}

// RuntimeList lists the executions the user may see (the SDK's
// executions.list).
func (m *Module) RuntimeList(ctx context.Context, workflow, status string, since, until *time.Time, limit int) (any, error) {
	v, err := m.viewerOf(ctx)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	f := listFilter{Org: v.org, AllOrgs: v.admin && v.org == nil, Workflow: workflow, Since: since, Until: until, Limit: limit}
	if status != "" {
		f.Statuses = []string{status}
	}
	if !v.viewAll {
		f.User = &v.user
	}
	rows, err := m.store.list(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]Execution, len(rows))
	for i := range rows {
		out[i] = rows[i].view(v.admin)
	}
	return out, nil
}

// RuntimeGet returns an execution the user may see, with its result, or
// nil.
func (m *Module) RuntimeGet(ctx context.Context, id string) (any, error) {
	eid, err := uuid.Parse(id)
	if err != nil {
		return nil, nil
	}
	e, v, err := m.visible(ctx, eid)
	if errs.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	view := e.view(v.admin)
	out := map[string]any{}
	b, _ := json.Marshal(view)
	_ = json.Unmarshal(b, &out)
	out["result"] = resultOf(e)
	return out, nil
}

// prepare records an execution without queueing it (a nested run).
func (m *Module) prepare(ctx context.Context, in SubmitInput) (*submitted, error) {
	in.noQueue = true
	return m.Submit(ctx, in)
}
