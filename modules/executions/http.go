package executions

import (
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v5"

	"github.com/bifrost-automation/bifrost/platform/errs"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// ExecuteRequest runs a workflow.
type ExecuteRequest struct {
	Name      string         `param:"name"`
	Wait      bool           `query:"wait" doc:"Wait for the result (up to executions.sync_timeout), whatever the workflow's execution mode."`
	InputData map[string]any `json:"input_data,omitempty" doc:"The workflow's inputs, checked against its parameters first."`
	FormID    *uuid.UUID     `json:"form_id,omitempty" doc:"The form it was launched from."`
	Transient bool           `json:"transient,omitempty" doc:"Keep the execution out of the history (it is deleted an hour after it ends)."`
}

// ExecuteResponse says where an execution stands; a sync one has its result.
type ExecuteResponse struct {
	ExecutionID uuid.UUID `json:"execution_id"`
	Status      string    `json:"status" enum:"Pending,Running,Success,Failed,CompletedWithErrors,Timeout,Cancelling,Cancelled"`
	Result      any       `json:"result,omitempty"`
	ResultType  *string   `json:"result_type,omitempty" enum:"json,html,text"`
	Error       any       `json:"error,omitempty"`
}

// ListRequest filters the history.
type ListRequest struct {
	httpx.PageQuery
	Workflow string     `query:"workflow" doc:"Only this workflow."`
	Status   string     `query:"status" doc:"Only these statuses, comma-separated (Running,Failed)."`
	UserID   string     `query:"user_id" doc:"Only this user's executions."`
	FormID   string     `query:"form_id" doc:"Only executions launched from this form."`
	ParentID string     `query:"parent_id" doc:"Only the executions this one started."`
	Since    *time.Time `query:"since" doc:"Only executions created at or after this time (RFC 3339)."`
	Until    *time.Time `query:"until" doc:"Only executions created before this time (RFC 3339)."`
}

// IDRequest names an execution.
type IDRequest struct {
	ID string `param:"id"`
}

// StreamRequest names the execution to follow and where to resume.
type StreamRequest struct {
	ID    string `param:"id"`
	After int64  `query:"after" doc:"Send log lines after this sequence number only (with Last-Event-ID too, the later of the two)."`
}

// DetailResponse is an execution with its first log lines.
type DetailResponse struct {
	Execution
	Logs      []LogLine `json:"logs" doc:"The first log lines (debug and traceback lines for platform admins only); GET .../logs pages through the rest."`
	LogsAfter *int64    `json:"logs_next_after" doc:"When there are more lines: pass as after= to GET .../logs."`
}

// ResultResponse is an execution's result.
type ResultResponse struct {
	ExecutionID uuid.UUID `json:"execution_id"`
	Status      string    `json:"status"`
	Result      any       `json:"result"`
	ResultType  *string   `json:"result_type"`
}

// LogsRequest pages through log lines.
type LogsRequest struct {
	ID    string `param:"id"`
	After int64  `query:"after" doc:"Only lines after this sequence number."`
	Limit int    `query:"limit" validate:"omitempty,gte=1,lte=5000" doc:"Lines per page (default 1000, at most 5000)."`
}

// LogsResponse is a page of log lines.
type LogsResponse struct {
	Items     []LogLine `json:"items"`
	NextAfter *int64    `json:"next_after" doc:"Pass as after= for the next page; null on the last one."`
}

const firstLogs = 1000

func parseID(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, errNotFound
	}
	return id, nil
}

func (m *Module) routes(api *httpx.API) {
	tag := []string{"executions"}
	httpx.Handle(api, httpx.Route{Method: http.MethodPost, Path: "/api/workflows/:name/execute", OperationID: "executeWorkflow", Tags: tag,
		Summary: "Run a workflow",
		Description: "Checks the inputs against the workflow's parameters (a bad one is 422 naming the field, and nothing runs), records the execution and queues it. " +
			"An async workflow answers 202 with the execution's id at once; a sync one (or ?wait=true) waits for the result and answers 200, " +
			"or 202 if it takes longer than executions.sync_timeout.",
		Permission: PermissionRun, Status: http.StatusAccepted, OptionalBody: true, Errors: []int{http.StatusUnprocessableEntity}},
		func(c *echo.Context, in *ExecuteRequest) (*ExecuteResponse, error) {
			ctx := c.Request().Context()
			sub, err := m.Submit(ctx, SubmitInput{Name: in.Name, Inputs: in.InputData, FormID: in.FormID, Transient: in.Transient})
			if err != nil {
				return nil, err
			}
			e := sub.exec
			if in.Wait || sub.def.ExecutionMode == "sync" {
				limit := m.cfg.SyncTimeout.D()
				if t := time.Duration(e.TimeoutSeconds)*time.Second + 5*time.Second; t < limit {
					limit = t
				}
				ended, done, err := m.wait(ctx, e.ID, limit)
				if err != nil {
					return nil, err
				}
				if done {
					c.Response().Header().Set("Location", "/api/executions/"+e.ID.String())
					return nil, c.JSON(http.StatusOK, answer(ended, httpx.PrincipalFrom(ctx).IsSuperuser))
				}
				e = ended
			}
			c.Response().Header().Set("Location", "/api/executions/"+e.ID.String())
			out := answer(e, false)
			return &out, nil
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/executions", OperationID: "listExecutions", Tags: tag,
		Summary: "List executions, newest first",
		Description: "Platform admins see every execution (or one organization's, with X-Organization-Id); organization users see their own, " +
			"or everyone's in their organization with the executions.view_all permission."},
		func(c *echo.Context, in *ListRequest) (*httpx.Page[Execution], error) {
			return m.list(c, in)
		})
	api.Add(httpx.Route{Method: http.MethodGet, Path: "/api/executions/stream", OperationID: "streamExecutions", Tags: tag,
		Summary:     "Follow new and changed executions",
		Description: "Server-Sent Events: an `execution` event (the execution without its inputs or result) for every execution the caller may see that is created or changes status.",
		ContentType: "text/event-stream", Output: Execution{}, Handler: m.streamList})
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/executions/:id", OperationID: "getExecution", Tags: tag,
		Summary: "Get an execution with its logs"},
		func(c *echo.Context, in *IDRequest) (*DetailResponse, error) {
			id, err := parseID(in.ID)
			if err != nil {
				return nil, err
			}
			ctx := c.Request().Context()
			e, v, err := m.visible(ctx, id)
			if err != nil {
				return nil, err
			}
			logs, err := m.store.logs(ctx, id, 0, firstLogs+1, v.admin)
			if err != nil {
				return nil, err
			}
			out := &DetailResponse{Execution: e.view(v.admin), Logs: logs}
			if len(logs) > firstLogs {
				out.Logs = logs[:firstLogs]
				last := out.Logs[firstLogs-1].Seq
				out.LogsAfter = &last
			}
			return out, nil
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/executions/:id/result", OperationID: "getExecutionResult", Tags: tag,
		Summary: "Get an execution's result"},
		func(c *echo.Context, in *IDRequest) (*ResultResponse, error) {
			id, err := parseID(in.ID)
			if err != nil {
				return nil, err
			}
			e, _, err := m.visible(c.Request().Context(), id)
			if err != nil {
				return nil, err
			}
			return &ResultResponse{ExecutionID: e.ID, Status: e.Status, Result: resultOf(e), ResultType: e.ResultType}, nil
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/executions/:id/logs", OperationID: "getExecutionLogs", Tags: tag,
		Summary: "Page through an execution's log lines", Description: "In sequence order; debug and traceback lines for platform admins only."},
		func(c *echo.Context, in *LogsRequest) (*LogsResponse, error) {
			id, err := parseID(in.ID)
			if err != nil {
				return nil, err
			}
			ctx := c.Request().Context()
			_, v, err := m.visible(ctx, id)
			if err != nil {
				return nil, err
			}
			limit := in.Limit
			if limit <= 0 {
				limit = 1000
			}
			lines, err := m.store.logs(ctx, id, in.After, limit+1, v.admin)
			if err != nil {
				return nil, err
			}
			out := &LogsResponse{Items: lines}
			if len(lines) > limit {
				out.Items = lines[:limit]
				last := out.Items[limit-1].Seq
				out.NextAfter = &last
			}
			return out, nil
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodPost, Path: "/api/executions/:id/cancel", OperationID: "cancelExecution", Tags: tag,
		Summary:     "Cancel an execution",
		Description: "A Pending execution is cancelled at once; a Running one becomes Cancelling and its worker stops it within a second.",
		Permission:  PermissionRun, Errors: []int{http.StatusConflict}},
		func(c *echo.Context, in *IDRequest) (*Execution, error) {
			id, err := parseID(in.ID)
			if err != nil {
				return nil, err
			}
			return m.Cancel(c.Request().Context(), id)
		})
	api.Add(httpx.Route{Method: http.MethodGet, Path: "/api/executions/:id/stream", OperationID: "streamExecution", Tags: tag,
		Summary: "Follow an execution live",
		Description: "Server-Sent Events: `log` events (one line each, the sequence number as the event id, so Last-Event-ID resumes without gaps " +
			"or repeats), `status` events, and a final `end` event when it has ended.",
		Input: StreamRequest{}, ContentType: "text/event-stream", Output: LogLine{}, Handler: m.streamOne})
}

func answer(e *execution, admin bool) ExecuteResponse {
	out := ExecuteResponse{ExecutionID: e.ID, Status: e.Status, Result: resultOf(e), ResultType: e.ResultType}
	if e.Error != nil {
		view := e.view(admin)
		out.Error = view.Error
	}
	return out
}

func (m *Module) list(c *echo.Context, in *ListRequest) (*httpx.Page[Execution], error) {
	ctx := c.Request().Context()
	v, err := m.viewerOf(ctx)
	if err != nil {
		return nil, err
	}
	f := listFilter{Org: v.org, AllOrgs: v.admin && v.org == nil, Workflow: strings.TrimSpace(in.Workflow), Since: in.Since, Until: in.Until,
		Limit: in.Size() + 1}
	if !v.viewAll {
		if v.org == nil {
			return nil, errs.Forbidden("auth.forbidden", "You do not have permission to do this.")
		}
		f.User = &v.user
	}
	if in.UserID != "" {
		id, err := uuid.Parse(in.UserID)
		if err != nil {
			return nil, errs.Invalid("request.invalid", "user_id is not a user id.", errs.FieldError{Field: "user_id", Code: "uuid", Message: "must be a user id"})
		}
		if f.User != nil && *f.User != id {
			return &httpx.Page[Execution]{Items: []Execution{}}, nil
		}
		f.User = &id
	}
	for _, pair := range []struct {
		raw  string
		dest **uuid.UUID
		name string
	}{{in.FormID, &f.Form, "form_id"}, {in.ParentID, &f.ParentOnly, "parent_id"}} {
		if pair.raw == "" {
			continue
		}
		id, err := uuid.Parse(pair.raw)
		if err != nil {
			return nil, errs.Invalid("request.invalid", pair.name+" is not an id.", errs.FieldError{Field: pair.name, Code: "uuid", Message: "must be an id"})
		}
		*pair.dest = &id
	}
	for _, s := range strings.Split(in.Status, ",") {
		if s = strings.TrimSpace(s); s != "" {
			f.Statuses = append(f.Statuses, s)
		}
	}
	if in.Cursor != "" {
		key, id, err := httpx.DecodeKeyCursor(in.Cursor)
		if err != nil {
			return nil, err
		}
		at, err := time.Parse(time.RFC3339Nano, key)
		if err != nil {
			return nil, errs.Malformed("request.bad_cursor", "The cursor is not one this list gave.")
		}
		f.AfterTime, f.AfterID = &at, id
	}
	rows, err := m.store.list(ctx, f)
	if err != nil {
		return nil, err
	}
	items := make([]Execution, len(rows))
	for i := range rows {
		items[i] = rows[i].view(v.admin)
	}
	return httpx.NewPage(items, in.Size(), func(e Execution) string {
		return httpx.EncodeCursor(e.CreatedAt.Format(time.RFC3339Nano), e.ID.String())
	}), nil
}
