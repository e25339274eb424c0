package audit

import (
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v5"

	"github.com/bifrost-automation/bifrost/platform/errs"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// PermissionView lets organization users read their organization's log.
const PermissionView = "audit.view"

// Entry is one audit log entry.
type Entry struct {
	ID             uuid.UUID      `json:"id"`
	OrganizationID *uuid.UUID     `json:"organization_id"`
	UserID         *uuid.UUID     `json:"user_id"`
	ActorEmail     string         `json:"actor_email"`
	Action         string         `json:"action" example:"auth.login"`
	ResourceType   string         `json:"resource_type"`
	ResourceID     string         `json:"resource_id"`
	Details        map[string]any `json:"details"`
	IPAddress      string         `json:"ip_address"`
	UserAgent      string         `json:"user_agent"`
	RequestID      string         `json:"request_id"`
	CreatedAt      time.Time      `json:"created_at"`
}

// ListRequest filters the audit log.
type ListRequest struct {
	httpx.PageQuery
	Action string    `query:"action" doc:"Only this action, e.g. auth.login_failed."`
	UserID string    `query:"user_id" validate:"omitempty,uuid" doc:"Only what this user did."`
	Since  time.Time `query:"since" doc:"Only entries at or after this time (RFC 3339)."`
	Until  time.Time `query:"until" doc:"Only entries before this time (RFC 3339)."`
}

func (m *Module) routes(api *httpx.API) {
	httpx.Handle(api, httpx.Route{
		Method: http.MethodGet, Path: "/api/audit-logs", OperationID: "listAuditLogs", Tags: []string{"audit"},
		Summary: "List the audit log, newest first",
		Description: "Logins, failed logins, logouts, password resets and every change to users, roles and organizations. " +
			"Platform admins see every organization (or the one named by X-Organization-Id); organization users with " +
			"the audit.view permission see their own organization's entries.",
		Permission: PermissionView,
	}, m.list)
}

func (m *Module) list(c *echo.Context, in *ListRequest) (*httpx.Page[Entry], error) {
	ctx := c.Request().Context()
	f := filter{OrganizationID: httpx.ScopeFrom(ctx).OrganizationID, Action: in.Action, Since: in.Since, Until: in.Until, Limit: in.Size() + 1}
	if in.UserID != "" {
		id := uuid.MustParse(in.UserID)
		f.UserID = &id
	}
	if in.Cursor != "" {
		key, id, err := httpx.DecodeKeyCursor(in.Cursor)
		if err != nil {
			return nil, err
		}
		t, err := time.Parse(time.RFC3339Nano, key)
		if err != nil {
			return nil, errs.Malformed("request.invalid_cursor", "The cursor is not one this list returned.")
		}
		f.BeforeTime, f.BeforeID = t, id
	}
	rows, err := m.store.list(ctx, f)
	if err != nil {
		return nil, err
	}
	items := make([]Entry, len(rows))
	for i, r := range rows {
		items[i] = Entry{
			ID: r.ID, OrganizationID: r.OrganizationID, UserID: r.UserID, ActorEmail: r.ActorEmail,
			Action: r.Action, ResourceType: r.ResourceType, ResourceID: r.ResourceID, Details: r.Details,
			UserAgent: r.UserAgent, RequestID: r.RequestID, CreatedAt: r.CreatedAt,
		}
		if r.IPAddress != nil {
			items[i].IPAddress = r.IPAddress.String()
		}
	}
	return httpx.NewPage(items, in.Size(), func(e Entry) string {
		return httpx.EncodeCursor(e.CreatedAt.UTC().Format(time.RFC3339Nano), e.ID.String())
	}), nil
}
