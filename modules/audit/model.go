package audit

import (
	"net/netip"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

type entry struct {
	bun.BaseModel `bun:"table:audit_logs"`

	ID             uuid.UUID      `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	OrganizationID *uuid.UUID     `bun:"organization_id,type:uuid"`
	UserID         *uuid.UUID     `bun:"user_id,type:uuid"`
	ActorEmail     string         `bun:"actor_email,nullzero"`
	Action         string         `bun:"action,notnull"`
	ResourceType   string         `bun:"resource_type,nullzero"`
	ResourceID     string         `bun:"resource_id,nullzero"`
	Details        map[string]any `bun:"details,type:jsonb,notnull"`
	// A pointer: bun writes a zero netip.Addr as "invalid IP", not NULL.
	IPAddress *netip.Addr `bun:"ip_address,type:inet"`
	UserAgent string      `bun:"user_agent,nullzero"`
	RequestID string      `bun:"request_id,nullzero"`
	CreatedAt time.Time   `bun:"created_at,nullzero,notnull,default:current_timestamp"`
}
