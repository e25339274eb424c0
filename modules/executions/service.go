package executions

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/bifrost-automation/bifrost/modules/workflows"
	"github.com/bifrost-automation/bifrost/platform/bus"
	"github.com/bifrost-automation/bifrost/platform/errs"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// queueMessage is what goes on workflow.executions (the seed plan's format).
type queueMessage struct {
	ExecutionID  uuid.UUID      `json:"execution_id"`
	WorkflowName string         `json:"workflow_name"`
	OrgID        *uuid.UUID     `json:"org_id"`
	UserID       *uuid.UUID     `json:"user_id"`
	Parameters   map[string]any `json:"parameters"`
	Priority     int            `json:"priority"`
	RetryCount   int            `json:"retry_count"`
	CreatedAt    time.Time      `json:"created_at"`
}

// SubmitInput is one request to run a workflow.
type SubmitInput struct {
	Kind     string
	Name     string
	Inputs   map[string]any
	FormID   *uuid.UUID
	ParentID *uuid.UUID
	Trigger  string
	// Transient keeps the execution out of the history.
	Transient bool
	// APIKeyID is the key an HTTP endpoint call used.
	APIKeyID *uuid.UUID
	// Actor overrides the request's principal (endpoint keys).
	Actor *httpx.Principal
	Scope *httpx.Scope

	noQueue bool // recorded only; the caller runs it (nested runs)
}

// submitted is a new execution and the definition it runs.
type submitted struct {
	exec *execution
	def  *workflows.Definition
}

// Submit validates the inputs, records a Pending execution and queues it.
// A publish that fails after the record commits (the broker is away
// longer than rabbitmq.publish_timeout) still answers: the execution stays
// Pending and the reconciler publishes it again.
func (m *Module) Submit(ctx context.Context, in SubmitInput) (*submitted, error) {
	if in.Kind == "" {
		in.Kind = workflows.KindWorkflow
	}
	if in.Trigger == "" {
		in.Trigger = "api"
	}
	def, err := m.reg.Definition(ctx, in.Kind, in.Name)
	if err != nil {
		return nil, err
	}
	if in.Inputs == nil {
		in.Inputs = map[string]any{}
	}
	if err := validateInputs(def, in.Inputs); err != nil {
		return nil, err
	}
	p, scope := httpx.PrincipalFrom(ctx), httpx.ScopeFrom(ctx)
	if in.Actor != nil {
		p = in.Actor
	}
	if in.Scope != nil {
		scope = *in.Scope
	}
	if p == nil {
		return nil, errs.Unauthenticated("auth.unauthenticated", "No user is acting.")
	}
	e := &execution{ID: uuid.New(), WorkflowName: def.Name, Kind: in.Kind, Status: StatusPending, OrganizationID: scope.OrganizationID,
		UserEmail: p.Email, UserName: p.Name, UserIsAdmin: p.IsSuperuser, UserOrgID: p.OrganizationID, APIKeyID: in.APIKeyID,
		FormID: in.FormID, ParentID: in.ParentID, Trigger: in.Trigger, Transient: in.Transient, Input: in.Inputs, TimeoutSeconds: max(def.TimeoutSecs, 1)}
	if p.UserID != uuid.Nil {
		id := p.UserID
		e.UserID = &id
	}
	if scope.OrganizationID != nil && m.orgs != nil {
		name, active, err := m.orgs.Describe(ctx, *scope.OrganizationID)
		if err != nil {
			return nil, err
		}
		if !active {
			return nil, errs.Forbidden("organizations.inactive", "This organization is deactivated.")
		}
		e.OrgName = name
	}
	if err := m.store.insert(ctx, m.db, e); err != nil {
		return nil, err
	}
	if in.noQueue {
		return &submitted{exec: e, def: def}, nil
	}
	if err := m.publish(ctx, e); err != nil {
		// The record stays Pending: the reconciler publishes it again.
		m.log.Warn("executions: queueing failed; the reconciler will retry", "execution", e.ID, "error", err)
	}
	m.publishChange(context.WithoutCancel(ctx), e)
	return &submitted{exec: e, def: def}, nil
}

func (m *Module) publish(ctx context.Context, e *execution) error {
	if m.pub == nil {
		return errs.Unavailable("executions.queue_unavailable", "The queue is not available.")
	}
	return m.pub.PublishJSON(ctx, bus.TopicWorkflowExecutions, queueMessage{
		ExecutionID: e.ID, WorkflowName: e.WorkflowName, OrgID: e.OrganizationID, UserID: e.UserID, Parameters: e.Input,
		Priority: 5, RetryCount: e.Attempts, CreatedAt: e.CreatedAt,
	})
}

// wait waits for an execution to end, up to d; ok is false if it is still
// going.
func (m *Module) wait(ctx context.Context, id uuid.UUID, d time.Duration) (*execution, bool, error) {
	ch, stop := m.hub.wait(id)
	defer stop()
	// It may have ended before the wait began.
	e, err := m.store.get(ctx, id)
	if err != nil || Terminal(e.Status) {
		return e, err == nil, err
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	// A missed notification (Redis reconnecting) is caught by polling slowly.
	poll := time.NewTicker(2 * time.Second)
	defer poll.Stop()
	for {
		select {
		case <-ch:
			e, err := m.store.get(ctx, id)
			return e, err == nil, err
		case <-poll.C:
			e, err := m.store.get(ctx, id)
			if err != nil || Terminal(e.Status) {
				return e, err == nil, err
			}
		case <-timer.C:
			e, err := m.store.get(ctx, id)
			return e, false, err
		case <-ctx.Done():
			return nil, false, ctx.Err()
		}
	}
}

// viewer is who looks at executions, and what they may see.
type viewer struct {
	admin   bool
	org     *uuid.UUID
	user    uuid.UUID
	viewAll bool
}

func (m *Module) viewerOf(ctx context.Context) (viewer, error) {
	p, scope := httpx.PrincipalFrom(ctx), httpx.ScopeFrom(ctx)
	if p == nil {
		return viewer{}, errs.Unauthenticated("auth.unauthenticated", "No user is acting.")
	}
	v := viewer{admin: p.IsSuperuser, org: scope.OrganizationID, user: p.UserID}
	if v.admin {
		v.viewAll = true
		return v, nil
	}
	if v.org != nil && m.authz != nil {
		ok, err := m.authz.HasPermission(ctx, p, *v.org, PermissionViewAll)
		if err != nil {
			return viewer{}, err
		}
		v.viewAll = ok
	}
	return v, nil
}

// can reports whether v may see e.
func (v viewer) can(e *Execution) bool {
	switch {
	case v.admin && v.org == nil:
		return true
	case v.org == nil || e.OrganizationID == nil || *e.OrganizationID != *v.org:
		return false
	case v.viewAll:
		return true
	default:
		return e.UserID != nil && *e.UserID == v.user
	}
}

// visible returns an execution the request may see.
func (m *Module) visible(ctx context.Context, id uuid.UUID) (*execution, viewer, error) {
	v, err := m.viewerOf(ctx)
	if err != nil {
		return nil, v, err
	}
	e, err := m.store.get(ctx, id)
	if err != nil {
		return nil, v, err
	}
	view := e.view(v.admin)
	if !v.can(&view) {
		return nil, v, errNotFound
	}
	return e, v, nil
}

// Cancel stops an execution: a Pending one at once, a Running one on its
// worker (within a second).
func (m *Module) Cancel(ctx context.Context, id uuid.UUID) (*Execution, error) {
	e, v, err := m.visible(ctx, id)
	if err != nil {
		return nil, err
	}
	switch e.Status {
	case StatusPending:
		ended, ok, err := m.store.end(ctx, id, []string{StatusPending}, StatusCancelled,
			&workflows.RunError{Type: "Cancelled", Message: "The execution was cancelled before it started."})
		if err != nil {
			return nil, err
		}
		if ok {
			m.publishChange(context.WithoutCancel(ctx), ended)
			out := ended.view(v.admin)
			return &out, nil
		}
	case StatusRunning:
		marked, ok, err := m.store.markCancelling(ctx, id)
		if err != nil {
			return nil, err
		}
		if ok {
			if m.cache != nil {
				if err := m.cache.Publish(ctx, cancelChannel, id.String()); err != nil {
					m.log.Warn("executions: announce a cancellation; the worker's heartbeat will see it", "execution", id, "error", err)
				}
			}
			m.publishChange(context.WithoutCancel(ctx), marked)
			out := marked.view(v.admin)
			return &out, nil
		}
	}
	// It ended (or is being cancelled) already: say how it is.
	now, err := m.store.get(ctx, id)
	if err != nil {
		return nil, err
	}
	if Terminal(now.Status) && now.Status != StatusCancelled {
		return nil, errs.Conflict("executions.already_ended", fmt.Sprintf("The execution already ended (%s).", now.Status))
	}
	out := now.view(v.admin)
	return &out, nil
}

// resultOf is the decoded result, for sync answers.
func resultOf(e *execution) any {
	if len(e.Result) == 0 {
		return nil
	}
	var v any
	_ = json.Unmarshal(e.Result, &v)
	return v
}
