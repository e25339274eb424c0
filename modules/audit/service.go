package audit

import (
	"context"

	"github.com/google/uuid"
	"net/netip"

	"github.com/bifrost-automation/bifrost/platform/app"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// Record writes one audit event, filling in from ctx what the event does
// not say: the acting user, the workflow execution it acts for, and the
// client address, user agent and request id of its request.
func (m *Module) Record(ctx context.Context, e app.AuditEvent) error {
	if p := httpx.PrincipalFrom(ctx); p != nil && e.UserID == nil && p.UserID != uuid.Nil {
		e.UserID, e.ActorEmail = &p.UserID, p.Email
	}
	if exec := app.ExecutionFrom(ctx); exec != "" {
		details := make(map[string]any, len(e.Details)+1)
		for k, v := range e.Details {
			details[k] = v
		}
		details["execution_id"] = exec
		e.Details = details
	}
	client := httpx.ClientFrom(ctx)
	if e.IPAddress == "" {
		e.IPAddress = client.IP
	}
	if e.UserAgent == "" {
		e.UserAgent = client.UserAgent
	}
	if e.RequestID == "" {
		e.RequestID = client.RequestID
	}
	row := &entry{
		OrganizationID: e.OrganizationID,
		UserID:         e.UserID,
		ActorEmail:     e.ActorEmail,
		Action:         e.Action,
		ResourceType:   e.ResourceType,
		ResourceID:     e.ResourceID,
		Details:        e.Details,
		UserAgent:      truncate(e.UserAgent, 512),
		RequestID:      e.RequestID,
	}
	if row.Details == nil {
		row.Details = map[string]any{}
	}
	if ip, err := netip.ParseAddr(e.IPAddress); err == nil {
		row.IPAddress = &ip
	}
	if err := m.store.insert(ctx, m.store.db, row); err != nil {
		m.log.Error("audit: event not recorded", "action", e.Action, "error", err)
		return err
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

var _ app.Auditor = (*Module)(nil)
