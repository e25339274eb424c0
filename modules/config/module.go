// Package config owns configuration values: typed key/value entries,
// global or per organization, where reading a key for an organization falls
// back to the global entry. Entries of type secret_ref name a secret, which
// it resolves through the Secrets interface (the secrets module).
package config

import (
	"bytes"
	"context"
	"encoding/json"
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
// configuration.
const PermissionManage = "config.manage"

// Types of configuration values.
const (
	TypeString    = "string"
	TypeInt       = "int"
	TypeBool      = "bool"
	TypeJSON      = "json"
	TypeSecretRef = "secret_ref"
)

// Secrets is what this module needs from the secrets module.
type Secrets interface {
	Exists(ctx context.Context, org *uuid.UUID, name string) (bool, error)
	Get(ctx context.Context, name string) (string, error)
}

// Deps is what the module needs.
type Deps struct {
	DB         *db.DB
	Logger     *slog.Logger
	Auditor    app.Auditor
	Secrets    Secrets
	Authorizer httpx.Authorizer
}

// Module is the config module.
type Module struct {
	db      *db.DB
	log     *slog.Logger
	audit   app.Auditor
	secrets Secrets
	authz   httpx.Authorizer
}

// New builds the module.
func New(d Deps) *Module {
	return &Module{db: d.DB, log: d.Logger, audit: d.Auditor, secrets: d.Secrets, authz: d.Authorizer}
}

// Name implements app.Module.
func (m *Module) Name() string { return "config" }

// RegisterRoutes implements app.RouteModule.
func (m *Module) RegisterRoutes(api *httpx.API) { m.routes(api) }

type entry struct {
	bun.BaseModel `bun:"table:config"`

	ID             uuid.UUID       `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	OrganizationID *uuid.UUID      `bun:"organization_id,type:uuid"`
	Key            string          `bun:"key,notnull"`
	Value          json.RawMessage `bun:"value,type:jsonb,notnull"`
	Type           string          `bun:"type,notnull"`
	Description    string          `bun:"description,notnull"`
	UpdatedBy      *uuid.UUID      `bun:"updated_by,type:uuid"`
	CreatedAt      time.Time       `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt      time.Time       `bun:"updated_at,nullzero,notnull,default:current_timestamp"`
}

// Entry is a configuration entry as the API shows it.
type Entry struct {
	ID             uuid.UUID       `json:"id"`
	OrganizationID *uuid.UUID      `json:"organization_id" doc:"null for a global entry."`
	Key            string          `json:"key"`
	Value          json.RawMessage `json:"value" doc:"A JSON value of the entry's type; for secret_ref, the secret's name (never its value)."`
	Type           string          `json:"type" enum:"string,int,bool,json,secret_ref"`
	Description    string          `json:"description"`
	Inherited      bool            `json:"inherited" doc:"A global entry seen from an organization that does not override it."`
	UpdatedBy      *uuid.UUID      `json:"updated_by"`
	UpdatedAt      time.Time       `json:"updated_at"`
}

func toEntry(e *entry, scope *uuid.UUID) Entry {
	return Entry{ID: e.ID, OrganizationID: e.OrganizationID, Key: e.Key, Value: e.Value, Type: e.Type, Description: e.Description,
		Inherited: scope != nil && e.OrganizationID == nil, UpdatedBy: e.UpdatedBy, UpdatedAt: e.UpdatedAt}
}

var (
	keyRe       = regexp.MustCompile(`^[a-zA-Z0-9_]{1,255}$`)
	errNotFound = errs.NotFound("config.not_found", "No configuration entry has this id.")
)

func (m *Module) record(ctx context.Context, e app.AuditEvent) {
	if m.audit != nil {
		_ = m.audit.Record(ctx, e)
	}
}

// require checks the module's permission for calls that do not come
// through a route.
func (m *Module) require(ctx context.Context) error {
	return httpx.Require(ctx, m.authz, PermissionManage)
}

func invalid(field, code, msg string) error {
	return errs.Invalid("config.invalid", "The configuration entry has invalid fields.", errs.FieldError{Field: field, Code: code, Message: msg})
}

// normalize checks that value is a JSON value of type t and returns its
// compact form.
func (m *Module) normalize(ctx context.Context, org *uuid.UUID, t string, value json.RawMessage) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(value))
	dec.UseNumber()
	var v any
	if len(bytes.TrimSpace(value)) == 0 || dec.Decode(&v) != nil {
		return nil, invalid("value", "json", "must be a JSON value")
	}
	switch t {
	case TypeString:
		if _, ok := v.(string); !ok {
			return nil, invalid("value", "type", "must be a string for type string")
		}
	case TypeInt:
		n, ok := v.(json.Number)
		if !ok {
			return nil, invalid("value", "type", "must be an integer for type int")
		}
		if _, err := n.Int64(); err != nil {
			return nil, invalid("value", "type", "must be an integer for type int")
		}
	case TypeBool:
		if _, ok := v.(bool); !ok {
			return nil, invalid("value", "type", "must be true or false for type bool")
		}
	case TypeJSON:
	case TypeSecretRef:
		name, ok := v.(string)
		if !ok || name == "" {
			return nil, invalid("value", "type", "must be the name of a secret for type secret_ref")
		}
		if m.secrets != nil {
			ok, err := m.secrets.Exists(ctx, org, name)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, invalid("value", "secret_not_found", "names no secret readable here")
			}
		}
	default:
		return nil, invalid("type", "oneof", "must be one of: string, int, bool, json, secret_ref")
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, value); err != nil {
		return nil, invalid("value", "json", "must be a JSON value")
	}
	if buf.Len() > 256<<10 {
		return nil, invalid("value", "too_large", "must be at most 256 KiB")
	}
	return buf.Bytes(), nil
}

// inferType picks the type of a new entry set without one (the workflow
// SDK's config.set): a JSON string, integer or boolean is that type,
// anything else json.
func inferType(value json.RawMessage) string {
	dec := json.NewDecoder(bytes.NewReader(value))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return TypeString // normalize reports the bad value
	}
	switch x := v.(type) {
	case string:
		return TypeString
	case bool:
		return TypeBool
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return TypeInt
		}
	}
	return TypeJSON
}

// SetInput is a value to store. An empty Type keeps an existing entry's
// type and infers a new entry's from the value.
type SetInput struct {
	Key         string
	Value       json.RawMessage
	Type        string
	Description *string
}

// Set creates or replaces the entry key in the request's scope and reports
// whether it created it.
func (m *Module) Set(ctx context.Context, in SetInput) (*Entry, bool, error) {
	if err := m.require(ctx); err != nil {
		return nil, false, err
	}
	if !keyRe.MatchString(in.Key) {
		return nil, false, invalid("key", "format", "must be 1 to 255 letters, digits or underscores")
	}
	org := httpx.ScopeFrom(ctx).OrganizationID
	var out Entry
	created := false
	err := m.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		existing, err := m.byKey(ctx, tx, org, in.Key, true)
		if err != nil && !errs.IsNotFound(err) {
			return err
		}
		e := existing
		if e == nil {
			e = &entry{ID: uuid.New(), OrganizationID: org, Key: in.Key}
			created = true
		}
		if in.Type != "" {
			e.Type = in.Type
		} else if e.Type == "" {
			e.Type = inferType(in.Value)
		}
		if e.Value, err = m.normalize(ctx, org, e.Type, in.Value); err != nil {
			return err
		}
		if in.Description != nil {
			e.Description = strings.TrimSpace(*in.Description)
		}
		if p := httpx.PrincipalFrom(ctx); p != nil {
			e.UpdatedBy = &p.UserID
		}
		if created {
			_, err = tx.NewInsert().Model(e).Returning("*").Exec(ctx)
		} else {
			_, err = tx.NewUpdate().Model(e).Column("value", "type", "description", "updated_by").WherePK().Returning("*").Exec(ctx)
		}
		if err != nil {
			if db.IsUniqueViolation(err) {
				return errs.Conflict("config.key_taken", "This key was just set by someone else; try again.")
			}
			return fmt.Errorf("config: save: %w", err)
		}
		out = toEntry(e, org)
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	action := "config.updated"
	if created {
		action = "config.created"
	}
	// Only the key and type are recorded, never the value: someone may
	// paste a secret into a string entry.
	m.record(ctx, app.AuditEvent{OrganizationID: org, Action: action, ResourceType: "config", ResourceID: out.ID.String(),
		Details: map[string]any{"key": out.Key, "type": out.Type}})
	return &out, created, nil
}

func (m *Module) byKey(ctx context.Context, idb bun.IDB, org *uuid.UUID, key string, forUpdate bool) (*entry, error) {
	e := new(entry)
	q := idb.NewSelect().Model(e).Where("key = ?", key)
	if org == nil {
		q = q.Where("organization_id IS NULL")
	} else {
		q = q.Where("organization_id = ?", *org)
	}
	if forUpdate {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, errNotFound
		}
		return nil, fmt.Errorf("config: by key: %w", err)
	}
	return e, nil
}

// visible returns an entry of the request's scope; global entries are
// visible (read-only) from an organization.
func (m *Module) visible(ctx context.Context, id uuid.UUID, writable bool) (*entry, error) {
	e := new(entry)
	if err := m.db.NewSelect().Model(e).Where("id = ?", id).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, errNotFound
		}
		return nil, fmt.Errorf("config: get: %w", err)
	}
	org := httpx.ScopeFrom(ctx).OrganizationID
	switch {
	case e.OrganizationID == nil && org == nil:
	case e.OrganizationID == nil && !writable:
	case e.OrganizationID != nil && org != nil && *e.OrganizationID == *org:
	default:
		return nil, errNotFound
	}
	return e, nil
}

// Update changes an entry by id.
func (m *Module) Update(ctx context.Context, id uuid.UUID, value json.RawMessage, typ string, description *string) (*Entry, error) {
	if err := m.require(ctx); err != nil {
		return nil, err
	}
	e, err := m.visible(ctx, id, true)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(value)) == 0 || string(bytes.TrimSpace(value)) == "null" {
		value = e.Value
	}
	out, _, err := m.Set(ctx, SetInput{Key: e.Key, Value: value, Type: typ, Description: description})
	return out, err
}

// Delete removes an entry by id.
func (m *Module) Delete(ctx context.Context, id uuid.UUID) error {
	if err := m.require(ctx); err != nil {
		return err
	}
	e, err := m.visible(ctx, id, true)
	if err != nil {
		return err
	}
	if _, err := m.db.NewDelete().Model((*entry)(nil)).Where("id = ?", e.ID).Exec(ctx); err != nil {
		return fmt.Errorf("config: delete: %w", err)
	}
	m.record(ctx, app.AuditEvent{OrganizationID: e.OrganizationID, Action: "config.deleted", ResourceType: "config", ResourceID: e.ID.String(),
		Details: map[string]any{"key": e.Key}})
	return nil
}

// DeleteKey removes the entry key of the request's scope (the workflow
// SDK's config.delete).
func (m *Module) DeleteKey(ctx context.Context, key string) error {
	e, err := m.byKey(ctx, m.db, httpx.ScopeFrom(ctx).OrganizationID, key, false)
	if err != nil {
		return err
	}
	return m.Delete(ctx, e.ID)
}

// List returns the entries of the request's scope; from an organization,
// global entries it does not override are included, marked inherited.
func (m *Module) List(ctx context.Context, keyPrefix string) ([]Entry, error) {
	if err := m.require(ctx); err != nil {
		return nil, err
	}
	return m.list(ctx, keyPrefix)
}

func (m *Module) list(ctx context.Context, keyPrefix string) ([]Entry, error) {
	org := httpx.ScopeFrom(ctx).OrganizationID
	var rows []entry
	q := m.db.NewSelect().Model(&rows).OrderExpr("key, organization_id NULLS LAST")
	if org == nil {
		q = q.Where("organization_id IS NULL")
	} else {
		q = q.Where("(organization_id = ? OR organization_id IS NULL)", *org)
	}
	if keyPrefix != "" {
		q = q.Where("key LIKE ?", strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(keyPrefix)+"%")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("config: list: %w", err)
	}
	out := make([]Entry, 0, len(rows))
	for i := range rows {
		// The organization's entry comes first; skip the global one it overrides.
		if i > 0 && rows[i].Key == rows[i-1].Key {
			continue
		}
		out = append(out, toEntry(&rows[i], org))
	}
	return out, nil
}

// Value is a resolved configuration value.
type Value struct {
	Key   string
	Type  string
	Value any
	Found bool
}

// Get reads key for the request's organization, else the global entry. A
// secret_ref resolves to the secret's value (an audited read). Reading
// needs no permission: workflows read the configuration they were written
// for, whoever runs them.
func (m *Module) Get(ctx context.Context, key string) (Value, error) {
	if httpx.PrincipalFrom(ctx) == nil {
		return Value{}, errs.Unauthenticated("auth.unauthenticated", "No user is acting.")
	}
	org := httpx.ScopeFrom(ctx).OrganizationID
	var rows []entry
	q := m.db.NewSelect().Model(&rows).Where("key = ?", key).OrderExpr("organization_id NULLS LAST").Limit(1)
	if org == nil {
		q = q.Where("organization_id IS NULL")
	} else {
		q = q.Where("(organization_id = ? OR organization_id IS NULL)", *org)
	}
	if err := q.Scan(ctx); err != nil {
		return Value{}, fmt.Errorf("config: read: %w", err)
	}
	if len(rows) == 0 {
		return Value{Key: key}, nil
	}
	e := rows[0]
	var v any
	dec := json.NewDecoder(bytes.NewReader(e.Value))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return Value{}, fmt.Errorf("config: decode %s: %w", key, err)
	}
	if n, ok := v.(json.Number); ok && e.Type == TypeInt {
		i, _ := n.Int64()
		v = i
	}
	if e.Type == TypeSecretRef {
		name, _ := v.(string)
		s, err := m.secrets.Get(ctx, name)
		if err != nil {
			return Value{}, err
		}
		v = s
	}
	return Value{Key: key, Type: e.Type, Value: v, Found: true}, nil
}

// SecretRef is an entry that names a secret (the secrets module's
// Reference: the same plain struct type).
type SecretRef = struct {
	Key            string
	OrganizationID *uuid.UUID
}

// SecretReferences lists the secret_ref entries naming a secret: those of
// org, or for org nil, those of every scope (secrets.References).
func (m *Module) SecretReferences(ctx context.Context, org *uuid.UUID, name string) ([]SecretRef, error) {
	var rows []entry
	q := m.db.NewSelect().Model(&rows).Column("key", "organization_id").
		Where("type = ? AND value #>> '{}' = ?", TypeSecretRef, name).OrderExpr("organization_id NULLS FIRST, key")
	if org != nil {
		q = q.Where("organization_id = ?", *org)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("config: secret references: %w", err)
	}
	out := make([]SecretRef, len(rows))
	for i, r := range rows {
		out[i] = SecretRef{Key: r.Key, OrganizationID: r.OrganizationID}
	}
	return out, nil
}
