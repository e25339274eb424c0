// Package secrets owns encrypted secrets, global or per organization, and
// the vault that encrypts them and OAuth tokens: a data key per
// organization wrapped by the master key (platform/crypto). Values are
// write-only through the API; reading one is audited. It asks the config
// module, through References, whether a secret is in use.
package secrets

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/bifrost-automation/bifrost/platform/app"
	"github.com/bifrost-automation/bifrost/platform/db"
	"github.com/bifrost-automation/bifrost/platform/errs"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// PermissionManage lets organization users manage their organization's
// secrets.
const PermissionManage = "secrets.manage"

// Reference is a configuration entry that names a secret. It is an alias
// of a plain struct type, so the config module returns it without
// importing this package.
type Reference = struct {
	Key            string
	OrganizationID *uuid.UUID
}

// References finds configuration entries that point at a secret.
type References interface {
	// SecretReferences lists the config entries of type secret_ref that
	// name a secret: those of org, or for org nil, those of every scope.
	SecretReferences(ctx context.Context, org *uuid.UUID, name string) ([]Reference, error)
}

// Deps is what the module needs.
type Deps struct {
	DB         *db.DB
	Vault      *Vault
	Logger     *slog.Logger
	Auditor    app.Auditor
	Authorizer httpx.Authorizer
}

// Module is the secrets module.
type Module struct {
	db    *db.DB
	vault *Vault
	log   *slog.Logger
	audit app.Auditor
	authz httpx.Authorizer
	refs  References
}

// New builds the module.
func New(d Deps) *Module {
	return &Module{db: d.DB, vault: d.Vault, log: d.Logger, audit: d.Auditor, authz: d.Authorizer}
}

// UseReferences wires the config module, which itself needs this one.
func (m *Module) UseReferences(r References) { m.refs = r }

// Name implements app.Module.
func (m *Module) Name() string { return "secrets" }

// RegisterRoutes implements app.RouteModule.
func (m *Module) RegisterRoutes(api *httpx.API) { m.routes(api) }

type secret struct {
	bun.BaseModel `bun:"table:secrets"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	OrganizationID *uuid.UUID `bun:"organization_id,type:uuid"`
	Name           string     `bun:"name,notnull"`
	Description    string     `bun:"description,notnull"`
	EncryptedValue []byte     `bun:"encrypted_value,notnull"`
	DataKeyID      uuid.UUID  `bun:"data_key_id,type:uuid,notnull"`
	CreatedBy      *uuid.UUID `bun:"created_by,type:uuid"`
	UpdatedBy      *uuid.UUID `bun:"updated_by,type:uuid"`
	CreatedAt      time.Time  `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt      time.Time  `bun:"updated_at,nullzero,notnull,default:current_timestamp"`
}

// valueAAD binds a secret's value to its row and column.
func valueAAD(id uuid.UUID) string { return "secret|" + id.String() + "|value" }

var (
	errNotFound  = errs.NotFound("secrets.not_found", "No secret has this id.")
	errNameTaken = errs.Conflict("secrets.name_taken", "A secret with this name exists here.").
			WithFields(errs.FieldError{Field: "name", Code: "taken", Message: "is used by another secret"})
	nameRe = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,128}$`)
)

// Secret is a secret as the API shows it: never its value.
type Secret struct {
	ID             uuid.UUID  `json:"id"`
	OrganizationID *uuid.UUID `json:"organization_id" doc:"null for a global secret, which every organization's workflows can read."`
	Name           string     `json:"name"`
	Description    string     `json:"description"`
	CreatedBy      *uuid.UUID `json:"created_by"`
	UpdatedBy      *uuid.UUID `json:"updated_by"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at" doc:"When the value or description last changed."`
	Inherited      bool       `json:"inherited" doc:"A global secret seen from an organization that has none of this name: readable by its workflows, changed only globally."`
}

func toSecret(s *secret, scope *uuid.UUID) Secret {
	return Secret{ID: s.ID, OrganizationID: s.OrganizationID, Name: s.Name, Description: s.Description,
		CreatedBy: s.CreatedBy, UpdatedBy: s.UpdatedBy, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
		Inherited: scope != nil && s.OrganizationID == nil}
}

func actor(ctx context.Context) *uuid.UUID {
	if p := httpx.PrincipalFrom(ctx); p != nil {
		return &p.UserID
	}
	return nil
}

func (m *Module) record(ctx context.Context, e app.AuditEvent) {
	if m.audit != nil {
		_ = m.audit.Record(ctx, e)
	}
}

// require checks a permission for calls that do not come through a route
// (the workflow runtime).
func (m *Module) require(ctx context.Context, perm string) error {
	return httpx.Require(ctx, m.authz, perm)
}

func checkName(name string) error {
	if !nameRe.MatchString(name) {
		return errs.Invalid("secrets.invalid", "The secret has invalid fields.",
			errs.FieldError{Field: "name", Code: "format", Message: "must be 1 to 128 letters, digits, dots, dashes or underscores"})
	}
	return nil
}

const maxValue = 64 << 10

func checkValue(v string) error {
	if v == "" || len(v) > maxValue {
		return errs.Invalid("secrets.invalid", "The secret has invalid fields.",
			errs.FieldError{Field: "value", Code: "length", Message: fmt.Sprintf("must be 1 byte to %d KiB", maxValue>>10)})
	}
	return nil
}

// Create stores a new secret in the request's scope.
func (m *Module) Create(ctx context.Context, name, value, description string) (*Secret, error) {
	if err := m.require(ctx, PermissionManage); err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if err := checkName(name); err != nil {
		return nil, err
	}
	if err := checkValue(value); err != nil {
		return nil, err
	}
	org := httpx.ScopeFrom(ctx).OrganizationID
	s := &secret{ID: uuid.New(), OrganizationID: org, Name: name, Description: strings.TrimSpace(description), CreatedBy: actor(ctx), UpdatedBy: actor(ctx)}
	sealed, err := m.vault.Seal(ctx, org, valueAAD(s.ID), []byte(value))
	if err != nil {
		return nil, err
	}
	s.EncryptedValue, s.DataKeyID = sealed.Ciphertext, sealed.DataKeyID
	if _, err := m.db.NewInsert().Model(s).Returning("*").Exec(ctx); err != nil {
		if db.IsUniqueViolation(err, "secrets_name_key") {
			return nil, errNameTaken
		}
		return nil, fmt.Errorf("secrets: insert: %w", err)
	}
	m.record(ctx, app.AuditEvent{OrganizationID: org, Action: "secrets.created", ResourceType: "secret", ResourceID: s.ID.String(),
		Details: map[string]any{"name": s.Name}})
	out := toSecret(s, httpx.ScopeFrom(ctx).OrganizationID)
	return &out, nil
}

// visible returns a secret of the request's scope; a global one is visible
// (not writable) from an organization.
func (m *Module) visible(ctx context.Context, idb bun.IDB, id uuid.UUID, writable bool) (*secret, error) {
	s := new(secret)
	q := idb.NewSelect().Model(s).ExcludeColumn("encrypted_value").Where("id = ?", id)
	switch org := httpx.ScopeFrom(ctx).OrganizationID; {
	case org == nil:
		q = q.Where("organization_id IS NULL")
	case writable:
		q = q.Where("organization_id = ?", *org)
	default:
		q = q.Where("(organization_id = ? OR organization_id IS NULL)", *org)
	}
	if err := q.Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, errNotFound
		}
		return nil, fmt.Errorf("secrets: get: %w", err)
	}
	return s, nil
}

// Update replaces a secret's value and/or description.
func (m *Module) Update(ctx context.Context, id uuid.UUID, value, description *string) (*Secret, error) {
	if err := m.require(ctx, PermissionManage); err != nil {
		return nil, err
	}
	s, err := m.visible(ctx, m.db, id, true)
	if err != nil {
		return nil, err
	}
	cols := []string{"updated_by"}
	s.UpdatedBy = actor(ctx)
	if value != nil {
		if err := checkValue(*value); err != nil {
			return nil, err
		}
		sealed, err := m.vault.Seal(ctx, s.OrganizationID, valueAAD(s.ID), []byte(*value))
		if err != nil {
			return nil, err
		}
		s.EncryptedValue, s.DataKeyID = sealed.Ciphertext, sealed.DataKeyID
		cols = append(cols, "encrypted_value", "data_key_id")
	}
	if description != nil {
		s.Description = strings.TrimSpace(*description)
		cols = append(cols, "description")
	}
	if _, err := m.db.NewUpdate().Model(s).Column(cols...).WherePK().Returning("*").Exec(ctx); err != nil {
		return nil, fmt.Errorf("secrets: update: %w", err)
	}
	m.record(ctx, app.AuditEvent{OrganizationID: s.OrganizationID, Action: "secrets.updated", ResourceType: "secret", ResourceID: s.ID.String(),
		Details: map[string]any{"name": s.Name, "value_changed": value != nil}})
	out := toSecret(s, httpx.ScopeFrom(ctx).OrganizationID)
	return &out, nil
}

// Delete removes a secret unless a configuration entry refers to it.
func (m *Module) Delete(ctx context.Context, id uuid.UUID) error {
	if err := m.require(ctx, PermissionManage); err != nil {
		return err
	}
	s, err := m.visible(ctx, m.db, id, true)
	if err != nil {
		return err
	}
	used, err := m.usedBy(ctx, s)
	if err != nil {
		return err
	}
	if len(used) > 0 {
		return errs.Newf(errs.KindConflict, "secrets.in_use", "The configuration entries %s refer to this secret; change them first.", strings.Join(used, ", "))
	}
	if _, err := m.db.NewDelete().Model((*secret)(nil)).Where("id = ?", s.ID).Exec(ctx); err != nil {
		return fmt.Errorf("secrets: delete: %w", err)
	}
	m.record(ctx, app.AuditEvent{OrganizationID: s.OrganizationID, Action: "secrets.deleted", ResourceType: "secret", ResourceID: s.ID.String(),
		Details: map[string]any{"name": s.Name}})
	return nil
}

// usedBy names the config entries whose secret_ref resolves to s: for a
// global secret, entries of organizations that have no secret of that name
// themselves.
func (m *Module) usedBy(ctx context.Context, s *secret) ([]string, error) {
	if m.refs == nil {
		return nil, nil
	}
	refs, err := m.refs.SecretReferences(ctx, s.OrganizationID, s.Name)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range refs {
		switch {
		case s.OrganizationID != nil || r.OrganizationID == nil:
			out = append(out, r.Key)
		default:
			own, err := m.db.NewSelect().Model((*secret)(nil)).Where("organization_id = ? AND name = ?", *r.OrganizationID, s.Name).Exists(ctx)
			if err != nil {
				return nil, fmt.Errorf("secrets: in use: %w", err)
			}
			if !own {
				out = append(out, fmt.Sprintf("%s (organization %s)", r.Key, r.OrganizationID))
			}
		}
	}
	return out, nil
}

// List returns the secrets of the request's scope, by name.
func (m *Module) List(ctx context.Context) ([]Secret, error) {
	if err := m.require(ctx, PermissionManage); err != nil {
		return nil, err
	}
	org := httpx.ScopeFrom(ctx).OrganizationID
	var rows []secret
	q := m.db.NewSelect().Model(&rows).ExcludeColumn("encrypted_value").OrderExpr("name, organization_id NULLS LAST")
	if org != nil {
		q = q.Where("(organization_id = ? OR organization_id IS NULL)", *org)
	} else {
		q = q.Where("organization_id IS NULL")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("secrets: list: %w", err)
	}
	out := make([]Secret, 0, len(rows))
	for i := range rows {
		if i > 0 && rows[i].Name == rows[i-1].Name {
			continue // the organization's own shadows the global one
		}
		out = append(out, toSecret(&rows[i], org))
	}
	return out, nil
}

// Get returns the value of the secret name for the request's organization,
// falling back to the global secret. Every read is audited with who read it
// and for which execution. Reading needs no permission: workflows read the
// secrets they were written to use, whoever runs them.
func (m *Module) Get(ctx context.Context, name string) (string, error) {
	if httpx.PrincipalFrom(ctx) == nil {
		return "", errs.Unauthenticated("auth.unauthenticated", "No user is acting.")
	}
	org := httpx.ScopeFrom(ctx).OrganizationID
	var rows []secret
	q := m.db.NewSelect().Model(&rows).Where("name = ?", name)
	if org != nil {
		q = q.Where("(organization_id = ? OR organization_id IS NULL)", *org).OrderExpr("organization_id NULLS LAST")
	} else {
		q = q.Where("organization_id IS NULL")
	}
	if err := q.Limit(1).Scan(ctx); err != nil {
		return "", fmt.Errorf("secrets: read: %w", err)
	}
	if len(rows) == 0 {
		return "", errs.Newf(errs.KindNotFound, "secrets.not_found", "No secret is named %q here.", name)
	}
	s := &rows[0]
	pt, err := m.vault.Open(ctx, s.OrganizationID, valueAAD(s.ID), SealedValue{Ciphertext: s.EncryptedValue, DataKeyID: s.DataKeyID})
	if err != nil {
		m.log.Error("secrets: a secret does not decrypt", "secret", s.ID, "error", err)
		return "", errs.Internal(fmt.Errorf("secrets: decrypt %s: %w", s.ID, err))
	}
	m.record(ctx, app.AuditEvent{OrganizationID: org, Action: "secrets.read", ResourceType: "secret", ResourceID: s.ID.String(),
		Details: map[string]any{"name": s.Name, "global": s.OrganizationID == nil}})
	return string(pt), nil
}

// Set creates or replaces a secret by name in the request's scope (the
// workflow SDK's secrets.set).
func (m *Module) Set(ctx context.Context, name, value string) error {
	if err := m.require(ctx, PermissionManage); err != nil {
		return err
	}
	org := httpx.ScopeFrom(ctx).OrganizationID
	s := new(secret)
	q := m.db.NewSelect().Model(s).Column("id").Where("name = ?", name)
	if org != nil {
		q = q.Where("organization_id = ?", *org)
	} else {
		q = q.Where("organization_id IS NULL")
	}
	err := q.Scan(ctx)
	if db.IsNoRows(err) {
		_, err = m.Create(ctx, name, value, "")
		return err
	}
	if err != nil {
		return fmt.Errorf("secrets: find: %w", err)
	}
	_, err = m.Update(ctx, s.ID, &value, nil)
	return err
}

// Exists reports whether a secret named name is readable in org (its own
// or a global one).
func (m *Module) Exists(ctx context.Context, org *uuid.UUID, name string) (bool, error) {
	q := m.db.NewSelect().Model((*secret)(nil)).Where("name = ?", name)
	if org != nil {
		q = q.Where("(organization_id = ? OR organization_id IS NULL)", *org)
	} else {
		q = q.Where("organization_id IS NULL")
	}
	ok, err := q.Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("secrets: exists: %w", err)
	}
	return ok, nil
}

// DeleteByName removes the secret name of the request's scope (the workflow
// SDK's secrets.delete).
func (m *Module) DeleteByName(ctx context.Context, name string) error {
	org := httpx.ScopeFrom(ctx).OrganizationID
	s := new(secret)
	q := m.db.NewSelect().Model(s).Column("id").Where("name = ?", name)
	if org != nil {
		q = q.Where("organization_id = ?", *org)
	} else {
		q = q.Where("organization_id IS NULL")
	}
	if err := q.Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return errs.Newf(errs.KindNotFound, "secrets.not_found", "No secret is named %q here.", name)
		}
		return fmt.Errorf("secrets: find: %w", err)
	}
	return m.Delete(ctx, s.ID)
}
