package integrations

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/bifrost-automation/bifrost/platform/db"
	"github.com/bifrost-automation/bifrost/platform/errs"
)

// Flows and statuses (SDK.md).
const (
	FlowAuthorizationCode = "authorization_code"
	FlowClientCredentials = "client_credentials"
	FlowRefreshToken      = "refresh_token"

	StatusNotConnected    = "not_connected"
	StatusWaitingCallback = "waiting_callback"
	StatusTesting         = "testing"
	StatusCompleted       = "completed"
	StatusFailed          = "failed"
)

type provider struct {
	bun.BaseModel `bun:"table:oauth_providers"`

	ID                    uuid.UUID      `bun:"id,pk,type:uuid"`
	OrganizationID        *uuid.UUID     `bun:"organization_id,type:uuid"`
	Name                  string         `bun:"provider_name,notnull"`
	Description           string         `bun:"description,notnull"`
	Flow                  string         `bun:"flow,notnull"`
	ClientID              string         `bun:"client_id,notnull"`
	EncryptedClientSecret []byte         `bun:"encrypted_client_secret"`
	AuthorizationURL      string         `bun:"authorization_url,notnull"`
	TokenURL              string         `bun:"token_url,notnull"`
	Scopes                []string       `bun:"scopes,array,notnull"`
	Metadata              map[string]any `bun:"metadata,type:jsonb,notnull"`
	DataKeyID             *uuid.UUID     `bun:"data_key_id,type:uuid"`
	Status                string         `bun:"status,notnull"`
	StatusMessage         string         `bun:"status_message,notnull"`
	CreatedBy             *uuid.UUID     `bun:"created_by,type:uuid"`
	UpdatedBy             *uuid.UUID     `bun:"updated_by,type:uuid"`
	CreatedAt             time.Time      `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt             time.Time      `bun:"updated_at,nullzero,notnull,default:current_timestamp"`
}

type token struct {
	bun.BaseModel `bun:"table:oauth_tokens"`

	ID                    uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	OrganizationID        *uuid.UUID `bun:"organization_id,type:uuid"`
	ProviderID            uuid.UUID  `bun:"provider_id,type:uuid,notnull"`
	UserID                *uuid.UUID `bun:"user_id,type:uuid"`
	AccessTokenEncrypted  []byte     `bun:"access_token_encrypted,notnull"`
	RefreshTokenEncrypted []byte     `bun:"refresh_token_encrypted"`
	DataKeyID             uuid.UUID  `bun:"data_key_id,type:uuid,notnull"`
	TokenType             string     `bun:"token_type,notnull"`
	ExpiresAt             *time.Time `bun:"expires_at"`
	Scopes                []string   `bun:"scopes,array,notnull"`
	LastRefreshedAt       *time.Time `bun:"last_refreshed_at"`
	CreatedAt             time.Time  `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt             time.Time  `bun:"updated_at,nullzero,notnull,default:current_timestamp"`
}

var (
	errNotFound  = errs.NotFound("integrations.not_found", "No integration has this id.")
	errNameTaken = errs.Conflict("integrations.name_taken", "An integration with this name exists here.").
			WithFields(errs.FieldError{Field: "name", Code: "taken", Message: "is used by another integration"})
)

func (m *Module) getProvider(ctx context.Context, idb bun.IDB, id uuid.UUID) (*provider, error) {
	p := new(provider)
	if err := idb.NewSelect().Model(p).Where("id = ?", id).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, errNotFound
		}
		return nil, fmt.Errorf("integrations store: get: %w", err)
	}
	return p, nil
}

func (m *Module) getToken(ctx context.Context, idb bun.IDB, providerID uuid.UUID) (*token, bool, error) {
	t := new(token)
	err := idb.NewSelect().Model(t).Where("provider_id = ?", providerID).Scan(ctx)
	if db.IsNoRows(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("integrations store: token: %w", err)
	}
	return t, true, nil
}

func (m *Module) saveToken(ctx context.Context, idb bun.IDB, t *token) error {
	_, err := idb.NewInsert().Model(t).
		On("CONFLICT (provider_id) DO UPDATE").
		Set("access_token_encrypted = EXCLUDED.access_token_encrypted").
		Set("refresh_token_encrypted = EXCLUDED.refresh_token_encrypted").
		Set("data_key_id = EXCLUDED.data_key_id, token_type = EXCLUDED.token_type").
		Set("expires_at = EXCLUDED.expires_at, scopes = EXCLUDED.scopes").
		Set("last_refreshed_at = EXCLUDED.last_refreshed_at, user_id = COALESCE(EXCLUDED.user_id, ?TableAlias.user_id)").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("integrations store: save token: %w", err)
	}
	return nil
}

func (m *Module) setStatus(ctx context.Context, id uuid.UUID, status, message string) error {
	_, err := m.db.NewUpdate().Model((*provider)(nil)).Set("status = ?, status_message = ?", status, truncate(message, 1000)).
		Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("integrations store: status: %w", err)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// dueForRefresh lists connections whose token expires before the margin.
func (m *Module) dueForRefresh(ctx context.Context, before time.Time) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := m.db.NewSelect().Model((*token)(nil)).Column("provider_id").
		Where("expires_at IS NOT NULL AND expires_at < ?", before).
		Where("provider_id IN (SELECT id FROM oauth_providers WHERE status = ?)", StatusCompleted).
		OrderExpr("expires_at").Limit(500).Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("integrations store: due for refresh: %w", err)
	}
	return ids, nil
}
