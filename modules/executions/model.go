package executions

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/bifrost-automation/bifrost/modules/workflows"
)

// The statuses of an execution (SDK.md).
const (
	StatusPending             = "Pending"
	StatusRunning             = "Running"
	StatusSuccess             = workflows.StatusSuccess
	StatusFailed              = workflows.StatusFailed
	StatusCompletedWithErrors = workflows.StatusCompletedWithErrors
	StatusTimeout             = workflows.StatusTimeout
	StatusCancelling          = "Cancelling"
	StatusCancelled           = workflows.StatusCancelled
)

// Terminal reports whether an execution with this status has ended.
func Terminal(status string) bool {
	switch status {
	case StatusSuccess, StatusFailed, StatusCompletedWithErrors, StatusTimeout, StatusCancelled:
		return true
	}
	return false
}

type execution struct {
	bun.BaseModel `bun:"table:executions"`

	ID             uuid.UUID           `bun:"id,pk,type:uuid"`
	WorkflowName   string              `bun:"workflow_name,notnull"`
	Kind           string              `bun:"kind,notnull"`
	Status         string              `bun:"status,notnull"`
	OrganizationID *uuid.UUID          `bun:"organization_id,type:uuid"`
	OrgName        string              `bun:"org_name,notnull"`
	UserID         *uuid.UUID          `bun:"user_id,type:uuid"`
	UserEmail      string              `bun:"user_email,notnull"`
	UserName       string              `bun:"user_name,notnull"`
	UserIsAdmin    bool                `bun:"user_is_admin,notnull"`
	UserOrgID      *uuid.UUID          `bun:"user_org_id,type:uuid"`
	APIKeyID       *uuid.UUID          `bun:"api_key_id,type:uuid"`
	FormID         *uuid.UUID          `bun:"form_id,type:uuid"`
	ParentID       *uuid.UUID          `bun:"parent_id,type:uuid"`
	Trigger        string              `bun:"trigger,notnull"`
	Transient      bool                `bun:"transient,notnull"`
	Input          map[string]any      `bun:"input,type:jsonb,notnull"`
	Result         json.RawMessage     `bun:"result,type:jsonb"`
	ResultType     *string             `bun:"result_type"`
	Error          *workflows.RunError `bun:"error,type:jsonb"`
	Variables      map[string]any      `bun:"variables,type:jsonb"`
	TimeoutSeconds int                 `bun:"timeout_seconds,notnull"`
	Worker         string              `bun:"worker,notnull"`
	Attempts       int                 `bun:"attempts,notnull"`
	LogCount       int                 `bun:"log_count,notnull"`
	CreatedAt      time.Time           `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	StartedAt      *time.Time          `bun:"started_at"`
	CompletedAt    *time.Time          `bun:"completed_at"`
	DurationMs     *float64            `bun:"duration_ms"`
	HeartbeatAt    *time.Time          `bun:"heartbeat_at"`
	RepublishedAt  *time.Time          `bun:"republished_at"`
	UpdatedAt      time.Time           `bun:"updated_at,nullzero,notnull,default:current_timestamp"`
}

type logRow struct {
	bun.BaseModel `bun:"table:execution_logs"`

	ExecutionID uuid.UUID `bun:"execution_id,pk,type:uuid"`
	Seq         int64     `bun:"seq,pk"`
	Level       string    `bun:"level,notnull"`
	Message     string    `bun:"message,notnull"`
	Data        any       `bun:"data,type:jsonb"`
	Logger      string    `bun:"logger,notnull"`
	LoggedAt    time.Time `bun:"logged_at,notnull"`
}

// Execution is an execution as the API shows it.
type Execution struct {
	ID             uuid.UUID           `json:"id"`
	ExecutionID    uuid.UUID           `json:"execution_id" doc:"The same as id (the name older clients read)."`
	WorkflowName   string              `json:"workflow_name"`
	Kind           string              `json:"kind" enum:"workflow,data_provider"`
	Status         string              `json:"status" enum:"Pending,Running,Success,Failed,CompletedWithErrors,Timeout,Cancelling,Cancelled"`
	OrganizationID *uuid.UUID          `json:"organization_id"`
	OrgName        string              `json:"org_name"`
	UserID         *uuid.UUID          `json:"user_id"`
	UserEmail      string              `json:"user_email"`
	UserName       string              `json:"user_name"`
	FormID         *uuid.UUID          `json:"form_id"`
	ParentID       *uuid.UUID          `json:"parent_id" doc:"The execution that started this one with workflows.execute()."`
	Trigger        string              `json:"trigger" enum:"api,endpoint,nested,schedule,form"`
	Transient      bool                `json:"transient"`
	Input          map[string]any      `json:"input_data"`
	Result         json.RawMessage     `json:"result,omitempty"`
	ResultType     *string             `json:"result_type" enum:"json,html,text"`
	Error          *workflows.RunError `json:"error" doc:"Why it failed: message is for users; detail (admins only) is the exception."`
	Variables      map[string]any      `json:"variables,omitempty" doc:"The workflow's variables when it ended (platform admins only)."`
	Worker         string              `json:"worker,omitempty" doc:"The worker process that ran it (platform admins only)."`
	Attempts       int                 `json:"attempts"`
	LogCount       int                 `json:"log_count"`
	CreatedAt      time.Time           `json:"created_at"`
	StartedAt      *time.Time          `json:"started_at"`
	CompletedAt    *time.Time          `json:"completed_at"`
	DurationMs     *float64            `json:"duration_ms"`
}

// LogLine is one line of an execution's log.
type LogLine struct {
	Seq     int64     `json:"seq"`
	Level   string    `json:"level" enum:"debug,info,warning,error,traceback"`
	Message string    `json:"message"`
	Data    any       `json:"data,omitempty"`
	Logger  string    `json:"logger,omitempty"`
	Time    time.Time `json:"time"`
}

func toLine(r *logRow) LogLine {
	return LogLine{Seq: r.Seq, Level: r.Level, Message: r.Message, Data: r.Data, Logger: r.Logger, Time: r.LoggedAt}
}

// adminOnlyLevels are the log levels only platform admins see.
func adminOnlyLevel(level string) bool { return level == "debug" || level == "traceback" }

// view is what one viewer may see of an execution.
func (e *execution) view(admin bool) Execution {
	out := Execution{ID: e.ID, ExecutionID: e.ID, WorkflowName: e.WorkflowName, Kind: e.Kind, Status: e.Status,
		OrganizationID: e.OrganizationID, OrgName: e.OrgName, UserID: e.UserID, UserEmail: e.UserEmail, UserName: e.UserName,
		FormID: e.FormID, ParentID: e.ParentID, Trigger: e.Trigger, Transient: e.Transient, Input: e.Input, Result: e.Result, ResultType: e.ResultType,
		Attempts: e.Attempts, LogCount: e.LogCount, CreatedAt: e.CreatedAt, StartedAt: e.StartedAt, CompletedAt: e.CompletedAt,
		DurationMs: e.DurationMs}
	if out.Input == nil {
		out.Input = map[string]any{}
	}
	if e.Error != nil {
		errCopy := *e.Error
		if !admin {
			errCopy.Detail = ""
		}
		out.Error = &errCopy
	}
	if admin {
		out.Variables, out.Worker = e.Variables, e.Worker
	}
	return out
}
