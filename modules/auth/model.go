package auth

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

type user struct {
	bun.BaseModel `bun:"table:users"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	Email          string     `bun:"email,notnull"`
	DisplayName    string     `bun:"display_name,notnull"`
	PasswordHash   *string    `bun:"password_hash"`
	IsActive       bool       `bun:"is_active,notnull"`
	IsSuperuser    bool       `bun:"is_superuser,notnull"`
	IsVerified     bool       `bun:"is_verified,notnull"`
	OrganizationID *uuid.UUID `bun:"organization_id,type:uuid"`
	InvitedBy      *uuid.UUID `bun:"invited_by,type:uuid"`
	LastLoginAt    *time.Time `bun:"last_login_at"`
	CreatedAt      time.Time  `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt      time.Time  `bun:"updated_at,nullzero,notnull,default:current_timestamp"`
}

type oauthAccount struct {
	bun.BaseModel `bun:"table:oauth_accounts"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	UserID         uuid.UUID  `bun:"user_id,type:uuid,notnull"`
	Provider       string     `bun:"provider,notnull"`
	ProviderUserID string     `bun:"provider_user_id,notnull"`
	Email          string     `bun:"email,nullzero"`
	CreatedAt      time.Time  `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	LastLoginAt    *time.Time `bun:"last_login_at"`
}

// Purposes of emailed single-use tokens.
const (
	purposeReset      = "reset_password"
	purposeVerify     = "verify_email"
	purposeInvitation = "invitation"
)

type authToken struct {
	bun.BaseModel `bun:"table:auth_tokens"`

	TokenHash []byte     `bun:"token_hash,pk"`
	UserID    uuid.UUID  `bun:"user_id,type:uuid,notnull"`
	Purpose   string     `bun:"purpose,notnull"`
	ExpiresAt time.Time  `bun:"expires_at,notnull"`
	UsedAt    *time.Time `bun:"used_at"`
	CreatedAt time.Time  `bun:"created_at,nullzero,notnull,default:current_timestamp"`
}
