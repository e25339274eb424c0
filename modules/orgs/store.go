package orgs

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/bifrost-automation/bifrost/platform/db"
	"github.com/bifrost-automation/bifrost/platform/errs"
)

var (
	errOrgNotFound = errs.NotFound("organizations.not_found", "No organization has this id.")
	errSlugTaken   = errs.Conflict("organizations.slug_taken", "Another organization has this slug.").
			WithFields(errs.FieldError{Field: "slug", Code: "taken", Message: "is used by another organization"})
	errDomainTaken = errs.Conflict("organizations.email_domain_taken", "Another organization has this email domain.").
			WithFields(errs.FieldError{Field: "email_domain", Code: "taken", Message: "is used by another organization"})
	errRoleNotFound  = errs.NotFound("roles.not_found", "No role has this id.")
	errRoleNameTaken = errs.Conflict("roles.name_taken", "A role with this name exists.").
				WithFields(errs.FieldError{Field: "name", Code: "taken", Message: "is used by another role"})
)

type store struct {
	db *db.DB
}

// orgConflict turns unique violations into conflicts the client can act on.
func orgConflict(err error) error {
	switch {
	case db.IsUniqueViolation(err, "organizations_slug_key"):
		return errSlugTaken
	case db.IsUniqueViolation(err, "organizations_email_domain_key"):
		return errDomainTaken
	}
	return err
}

func (s *store) insertOrg(ctx context.Context, idb bun.IDB, o *organization) error {
	if _, err := idb.NewInsert().Model(o).Returning("*").Exec(ctx); err != nil {
		if c := orgConflict(err); c != err {
			return c
		}
		return fmt.Errorf("orgs store: insert organization: %w", err)
	}
	return nil
}

func (s *store) updateOrg(ctx context.Context, idb bun.IDB, o *organization) error {
	res, err := idb.NewUpdate().Model(o).
		Column("name", "slug", "email_domain", "is_active", "settings").
		WherePK().Returning("*").Exec(ctx)
	if err != nil {
		if c := orgConflict(err); c != err {
			return c
		}
		return fmt.Errorf("orgs store: update organization: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errOrgNotFound
	}
	return nil
}

func (s *store) getOrg(ctx context.Context, idb bun.IDB, id uuid.UUID) (*organization, error) {
	o := new(organization)
	if err := idb.NewSelect().Model(o).Where("id = ?", id).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, errOrgNotFound
		}
		return nil, fmt.Errorf("orgs store: get organization: %w", err)
	}
	return o, nil
}

func (s *store) orgBySlug(ctx context.Context, slug string) (*organization, error) {
	o := new(organization)
	if err := s.db.NewSelect().Model(o).Where("slug = ?", slug).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, errOrgNotFound
		}
		return nil, fmt.Errorf("orgs store: organization by slug: %w", err)
	}
	return o, nil
}

func (s *store) orgByEmailDomain(ctx context.Context, domain string) (*organization, error) {
	o := new(organization)
	err := s.db.NewSelect().Model(o).Where("email_domain = ?", domain).Where("is_active").Scan(ctx)
	if err != nil {
		if db.IsNoRows(err) {
			return nil, errOrgNotFound
		}
		return nil, fmt.Errorf("orgs store: organization by domain: %w", err)
	}
	return o, nil
}

func (s *store) orgExists(ctx context.Context, id uuid.UUID) (bool, error) {
	ok, err := s.db.NewSelect().Model((*organization)(nil)).Where("id = ?", id).Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("orgs store: organization exists: %w", err)
	}
	return ok, nil
}

type orgFilter struct {
	// Only limits the list to one organization (an organization user's own).
	Only     *uuid.UUID
	Search   string
	Active   *bool
	AfterKey string
	AfterID  uuid.UUID
	Limit    int
}

// listOrgs orders by name, then id, so the cursor is (lower(name), id).
func (s *store) listOrgs(ctx context.Context, f orgFilter) ([]organization, error) {
	var out []organization
	q := s.db.NewSelect().Model(&out).OrderExpr("lower(name), id").Limit(int64(f.Limit))
	if f.Only != nil {
		q = q.Where("id = ?", *f.Only)
	}
	if f.Search != "" {
		like := "%" + escapeLike(f.Search) + "%"
		q = q.Where("(name ILIKE ? OR slug ILIKE ? OR email_domain ILIKE ?)", like, like, like)
	}
	if f.Active != nil {
		q = q.Where("is_active = ?", *f.Active)
	}
	if f.AfterKey != "" || f.AfterID != uuid.Nil {
		q = q.Where("(lower(name), id) > (?, ?)", f.AfterKey, f.AfterID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("orgs store: list organizations: %w", err)
	}
	return out, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func roleConflict(err error) error {
	if db.IsUniqueViolation(err, "roles_name_key") {
		return errRoleNameTaken
	}
	return err
}

func (s *store) insertRole(ctx context.Context, idb bun.IDB, r *role) error {
	if _, err := idb.NewInsert().Model(r).Returning("*").Exec(ctx); err != nil {
		if c := roleConflict(err); c != err {
			return c
		}
		return fmt.Errorf("orgs store: insert role: %w", err)
	}
	return nil
}

func (s *store) updateRole(ctx context.Context, idb bun.IDB, r *role) error {
	if _, err := idb.NewUpdate().Model(r).Column("name", "description", "permissions").WherePK().Returning("*").Exec(ctx); err != nil {
		if c := roleConflict(err); c != err {
			return c
		}
		return fmt.Errorf("orgs store: update role: %w", err)
	}
	return nil
}

func (s *store) deleteRole(ctx context.Context, idb bun.IDB, id uuid.UUID) error {
	if _, err := idb.NewDelete().Model((*role)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("orgs store: delete role: %w", err)
	}
	return nil
}

func (s *store) getRole(ctx context.Context, idb bun.IDB, id uuid.UUID) (*role, error) {
	r := new(role)
	if err := idb.NewSelect().Model(r).Where("id = ?", id).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, errRoleNotFound
		}
		return nil, fmt.Errorf("orgs store: get role: %w", err)
	}
	return r, nil
}

func (s *store) roleByName(ctx context.Context, org *uuid.UUID, name string) (*role, error) {
	r := new(role)
	q := s.db.NewSelect().Model(r).Where("lower(name) = lower(?)", name)
	if org == nil {
		q = q.Where("organization_id IS NULL")
	} else {
		q = q.Where("organization_id = ?", *org)
	}
	if err := q.Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, errRoleNotFound
		}
		return nil, fmt.Errorf("orgs store: role by name: %w", err)
	}
	return r, nil
}

type roleFilter struct {
	// Orgs limits to roles of these organizations; IncludeGlobal adds the
	// global roles. Both empty means every role (platform admins).
	Orgs          []uuid.UUID
	IncludeGlobal bool
	All           bool
}

func (s *store) listRoles(ctx context.Context, f roleFilter) ([]role, error) {
	var out []role
	q := s.db.NewSelect().Model(&out).OrderExpr("organization_id NULLS FIRST, lower(name), id")
	if !f.All {
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			if len(f.Orgs) > 0 {
				q = q.WhereOr("organization_id IN (?)", bun.List(f.Orgs))
			}
			if f.IncludeGlobal {
				q = q.WhereOr("organization_id IS NULL")
			}
			if len(f.Orgs) == 0 && !f.IncludeGlobal {
				q = q.Where("false")
			}
			return q
		})
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("orgs store: list roles: %w", err)
	}
	return out, nil
}

func (s *store) assign(ctx context.Context, idb bun.IDB, rows []userRole) error {
	if len(rows) == 0 {
		return nil
	}
	if _, err := idb.NewInsert().Model(&rows).On("CONFLICT (user_id, role_id) DO NOTHING").Exec(ctx); err != nil {
		return fmt.Errorf("orgs store: assign roles: %w", err)
	}
	return nil
}

func (s *store) unassign(ctx context.Context, idb bun.IDB, userID, roleID uuid.UUID) (bool, error) {
	res, err := idb.NewDelete().Model((*userRole)(nil)).Where("user_id = ? AND role_id = ?", userID, roleID).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("orgs store: unassign role: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

func (s *store) clearUserRoles(ctx context.Context, idb bun.IDB, userID uuid.UUID) error {
	if _, err := idb.NewDelete().Model((*userRole)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
		return fmt.Errorf("orgs store: clear user roles: %w", err)
	}
	return nil
}

func (s *store) usersOfRole(ctx context.Context, roleID uuid.UUID) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := s.db.NewSelect().Model((*userRole)(nil)).Column("user_id").Where("role_id = ?", roleID).OrderExpr("assigned_at, user_id").Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("orgs store: users of role: %w", err)
	}
	return ids, nil
}

func (s *store) rolesOfUser(ctx context.Context, userID uuid.UUID) ([]role, error) {
	var out []role
	err := s.db.NewSelect().Model(&out).
		Where("id IN (SELECT role_id FROM user_roles WHERE user_id = ?)", userID).
		OrderExpr("lower(name), id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("orgs store: roles of user: %w", err)
	}
	return out, nil
}

// permissionsOf returns the union of the permissions of a user's roles.
func (s *store) permissionsOf(ctx context.Context, userID uuid.UUID) ([]string, error) {
	var perms []string
	err := s.db.NewRaw(`SELECT DISTINCT unnest(r.permissions) FROM roles r
		JOIN user_roles ur ON ur.role_id = r.id WHERE ur.user_id = ?`, userID).Scan(ctx, &perms)
	if err != nil {
		return nil, fmt.Errorf("orgs store: permissions of user: %w", err)
	}
	return perms, nil
}
