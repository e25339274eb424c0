package orgs

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

type organization struct {
	bun.BaseModel `bun:"table:organizations"`

	ID          uuid.UUID      `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	Name        string         `bun:"name,notnull"`
	Slug        string         `bun:"slug,notnull"`
	EmailDomain *string        `bun:"email_domain"`
	IsActive    bool           `bun:"is_active,notnull"`
	Settings    map[string]any `bun:"settings,type:jsonb,notnull"`
	CreatedAt   time.Time      `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt   time.Time      `bun:"updated_at,nullzero,notnull,default:current_timestamp"`
}

type role struct {
	bun.BaseModel `bun:"table:roles"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	OrganizationID *uuid.UUID `bun:"organization_id,type:uuid"`
	Name           string     `bun:"name,notnull"`
	Description    string     `bun:"description,notnull"`
	Permissions    []string   `bun:"permissions,array,notnull"`
	CreatedAt      time.Time  `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt      time.Time  `bun:"updated_at,nullzero,notnull,default:current_timestamp"`
}

type userRole struct {
	bun.BaseModel `bun:"table:user_roles"`

	UserID     uuid.UUID  `bun:"user_id,pk,type:uuid"`
	RoleID     uuid.UUID  `bun:"role_id,pk,type:uuid"`
	AssignedBy *uuid.UUID `bun:"assigned_by,type:uuid"`
	AssignedAt time.Time  `bun:"assigned_at,nullzero,notnull,default:current_timestamp"`
}
