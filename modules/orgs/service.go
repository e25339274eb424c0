package orgs

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/bifrost-automation/bifrost/platform/app"
	"github.com/bifrost-automation/bifrost/platform/errs"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// Organization is an organization as the API shows it.
type Organization struct {
	ID          uuid.UUID      `json:"id"`
	Name        string         `json:"name"`
	Slug        string         `json:"slug" doc:"Lower-case letters, digits and dashes; unique."`
	EmailDomain *string        `json:"email_domain" doc:"People with a verified email in this domain may join, when registration by domain is on."`
	IsActive    bool           `json:"is_active"`
	Settings    map[string]any `json:"settings"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
}

func toOrganization(o *organization) Organization {
	return Organization{ID: o.ID, Name: o.Name, Slug: o.Slug, EmailDomain: o.EmailDomain, IsActive: o.IsActive,
		Settings: o.Settings, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
}

// Role is a role as the API shows it.
type Role struct {
	ID             uuid.UUID  `json:"id"`
	OrganizationID *uuid.UUID `json:"organization_id" doc:"The role's organization; null for a global role, which any organization's users can hold."`
	Name           string     `json:"name"`
	Description    string     `json:"description"`
	Permissions    []string   `json:"permissions"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

func toRole(r *role) Role {
	perms := r.Permissions
	if perms == nil {
		perms = []string{}
	}
	return Role{ID: r.ID, OrganizationID: r.OrganizationID, Name: r.Name, Description: r.Description,
		Permissions: perms, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

var slugRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$`)

// Slugify derives a slug from a name: "Contoso Ltd." -> "contoso-ltd".
func Slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > 64 {
		s = strings.Trim(s[:64], "-")
	}
	return s
}

func validDomain(d string) bool {
	if len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if !slugRe.MatchString(label) {
			return false
		}
	}
	return true
}

// OrganizationInput is a new organization or changes to one.
type OrganizationInput struct {
	Name        *string
	Slug        *string
	EmailDomain *string
	Settings    map[string]any
	IsActive    *bool
}

func (m *Module) record(ctx context.Context, e app.AuditEvent) {
	if m.audit != nil {
		_ = m.audit.Record(ctx, e)
	}
}

// CreateOrganization adds an organization.
func (m *Module) CreateOrganization(ctx context.Context, in OrganizationInput) (*Organization, error) {
	o := &organization{IsActive: true, Settings: map[string]any{}}
	if in.Name == nil || strings.TrimSpace(*in.Name) == "" {
		return nil, errs.Invalid("organizations.invalid", "The organization needs a name.", errs.FieldError{Field: "name", Code: "required", Message: "is required"})
	}
	if err := applyOrgInput(o, in, true); err != nil {
		return nil, err
	}
	if err := m.store.insertOrg(ctx, m.store.db, o); err != nil {
		return nil, err
	}
	m.record(ctx, app.AuditEvent{OrganizationID: &o.ID, Action: "organizations.created", ResourceType: "organization",
		ResourceID: o.ID.String(), Details: map[string]any{"name": o.Name, "slug": o.Slug}})
	out := toOrganization(o)
	return &out, nil
}

func applyOrgInput(o *organization, in OrganizationInput, creating bool) error {
	var fields []errs.FieldError
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		if name == "" || len(name) > 200 {
			fields = append(fields, errs.FieldError{Field: "name", Code: "length", Message: "must be 1 to 200 characters"})
		}
		o.Name = name
	}
	switch {
	case in.Slug != nil && *in.Slug != "":
		o.Slug = strings.ToLower(strings.TrimSpace(*in.Slug))
	case creating:
		o.Slug = Slugify(o.Name)
	}
	if (in.Slug != nil || creating) && !slugRe.MatchString(o.Slug) {
		fields = append(fields, errs.FieldError{Field: "slug", Code: "format", Message: "must be 1 to 64 lower-case letters, digits or dashes, not starting or ending with a dash"})
	}
	if in.EmailDomain != nil {
		d := normalizeDomain(*in.EmailDomain)
		if d == "" {
			o.EmailDomain = nil
		} else if !validDomain(d) {
			fields = append(fields, errs.FieldError{Field: "email_domain", Code: "format", Message: "must be a domain such as contoso.com"})
		} else {
			o.EmailDomain = &d
		}
	}
	if in.Settings != nil {
		o.Settings = in.Settings
	}
	if in.IsActive != nil {
		o.IsActive = *in.IsActive
	}
	if len(fields) > 0 {
		return errs.Invalid("organizations.invalid", "The organization has invalid fields.", fields...)
	}
	return nil
}

// visibleOrg returns an organization the request may see: an organization
// user sees only their own; anything else is not found.
func (m *Module) visibleOrg(ctx context.Context, id uuid.UUID) (*organization, error) {
	p := httpx.PrincipalFrom(ctx)
	if p != nil && !p.IsSuperuser && (p.OrganizationID == nil || *p.OrganizationID != id) {
		return nil, errOrgNotFound
	}
	return m.store.getOrg(ctx, m.store.db, id)
}

// UpdateOrganization changes an organization (platform admins).
func (m *Module) UpdateOrganization(ctx context.Context, id uuid.UUID, in OrganizationInput) (*Organization, error) {
	var out Organization
	var changes map[string]any
	err := m.store.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		o, err := m.store.getOrg(ctx, tx, id)
		if err != nil {
			return err
		}
		before := *o
		if err := applyOrgInput(o, in, false); err != nil {
			return err
		}
		if err := m.store.updateOrg(ctx, tx, o); err != nil {
			return err
		}
		changes = orgChanges(&before, o)
		out = toOrganization(o)
		return nil
	})
	if err != nil {
		return nil, err
	}
	action := "organizations.updated"
	if v, ok := changes["is_active"]; ok {
		if v == false {
			action = "organizations.deactivated"
		} else {
			action = "organizations.reactivated"
		}
	}
	m.record(ctx, app.AuditEvent{OrganizationID: &id, Action: action, ResourceType: "organization", ResourceID: id.String(), Details: changes})
	return &out, nil
}

func orgChanges(a, b *organization) map[string]any {
	c := map[string]any{}
	if a.Name != b.Name {
		c["name"] = b.Name
	}
	if a.Slug != b.Slug {
		c["slug"] = b.Slug
	}
	if (a.EmailDomain == nil) != (b.EmailDomain == nil) || (a.EmailDomain != nil && *a.EmailDomain != *b.EmailDomain) {
		c["email_domain"] = b.EmailDomain
	}
	if a.IsActive != b.IsActive {
		c["is_active"] = b.IsActive
	}
	return c
}

// OrgInfo is what other modules learn about an organization.
type OrgInfo struct {
	ID       uuid.UUID
	Name     string
	Slug     string
	IsActive bool
}

// Describe returns an organization's name and whether it is active.
func (m *Module) Describe(ctx context.Context, id uuid.UUID) (string, bool, error) {
	o, err := m.Organization(ctx, id)
	if err != nil {
		return "", false, err
	}
	return o.Name, o.IsActive, nil
}

// Organization returns an organization's summary.
func (m *Module) Organization(ctx context.Context, id uuid.UUID) (OrgInfo, error) {
	o, err := m.store.getOrg(ctx, m.store.db, id)
	if err != nil {
		return OrgInfo{}, err
	}
	return OrgInfo{ID: o.ID, Name: o.Name, Slug: o.Slug, IsActive: o.IsActive}, nil
}

// OrganizationBySlug returns the organization with a slug.
func (m *Module) OrganizationBySlug(ctx context.Context, slug string) (OrgInfo, error) {
	o, err := m.store.orgBySlug(ctx, strings.ToLower(strings.TrimSpace(slug)))
	if err != nil {
		return OrgInfo{}, err
	}
	return OrgInfo{ID: o.ID, Name: o.Name, Slug: o.Slug, IsActive: o.IsActive}, nil
}

// OrganizationByEmailDomain returns the active organization that claims an
// email domain.
func (m *Module) OrganizationByEmailDomain(ctx context.Context, domain string) (OrgInfo, bool, error) {
	o, err := m.store.orgByEmailDomain(ctx, normalizeDomain(domain))
	if errs.IsNotFound(err) {
		return OrgInfo{}, false, nil
	}
	if err != nil {
		return OrgInfo{}, false, err
	}
	return OrgInfo{ID: o.ID, Name: o.Name, Slug: o.Slug, IsActive: o.IsActive}, true, nil
}

// EnsureOrganization returns the organization with slug, creating it when
// missing (bifrost seed).
func (m *Module) EnsureOrganization(ctx context.Context, name, slug, domain string) (OrgInfo, bool, error) {
	if o, err := m.store.orgBySlug(ctx, slug); err == nil {
		return OrgInfo{ID: o.ID, Name: o.Name, Slug: o.Slug, IsActive: o.IsActive}, false, nil
	} else if !errs.IsNotFound(err) {
		return OrgInfo{}, false, err
	}
	in := OrganizationInput{Name: &name, Slug: &slug}
	if domain != "" {
		in.EmailDomain = &domain
	}
	o, err := m.CreateOrganization(ctx, in)
	if err != nil {
		return OrgInfo{}, false, err
	}
	return OrgInfo{ID: o.ID, Name: o.Name, Slug: o.Slug, IsActive: o.IsActive}, true, nil
}

// RoleInput is a new role or changes to one.
type RoleInput struct {
	OrganizationID *uuid.UUID
	Name           *string
	Description    *string
	Permissions    []string
}

func validateRole(r *role, in RoleInput) error {
	var fields []errs.FieldError
	if in.Name != nil {
		r.Name = strings.TrimSpace(*in.Name)
		if r.Name == "" || len(r.Name) > 100 {
			fields = append(fields, errs.FieldError{Field: "name", Code: "length", Message: "must be 1 to 100 characters"})
		}
	}
	if in.Description != nil {
		r.Description = strings.TrimSpace(*in.Description)
		if len(r.Description) > 1000 {
			fields = append(fields, errs.FieldError{Field: "description", Code: "length", Message: "must be at most 1000 characters"})
		}
	}
	if in.Permissions != nil {
		perms := []string{}
		for i, p := range in.Permissions {
			if !IsPermission(p) {
				fields = append(fields, errs.FieldError{Field: "permissions[" + strconv.Itoa(i) + "]", Code: "unknown_permission", Message: "is not a permission (see GET /api/permissions)"})
				continue
			}
			if !slices.Contains(perms, p) {
				perms = append(perms, p)
			}
		}
		slices.Sort(perms)
		r.Permissions = perms
	}
	if len(fields) > 0 {
		return errs.Invalid("roles.invalid", "The role has invalid fields.", fields...)
	}
	return nil
}

// roleOrgFor decides which organization a new role belongs to: an
// organization user's own; for a platform admin the one asked for, else the
// request's scope, else none (a global role).
func roleOrgFor(ctx context.Context, asked *uuid.UUID) (*uuid.UUID, error) {
	p, scope := httpx.PrincipalFrom(ctx), httpx.ScopeFrom(ctx)
	if p != nil && !p.IsSuperuser {
		if asked != nil && (p.OrganizationID == nil || *asked != *p.OrganizationID) {
			return nil, errs.Forbidden("auth.organization_forbidden", "You can only act in your own organization.")
		}
		return p.OrganizationID, nil
	}
	if asked != nil {
		if scope.OrganizationID != nil && *scope.OrganizationID != *asked {
			return nil, errs.Invalid("roles.invalid", "organization_id differs from X-Organization-Id.",
				errs.FieldError{Field: "organization_id", Code: "scope", Message: "must match X-Organization-Id"})
		}
		return asked, nil
	}
	return scope.OrganizationID, nil
}

// CreateRole adds a role.
func (m *Module) CreateRole(ctx context.Context, in RoleInput) (*Role, error) {
	org, err := roleOrgFor(ctx, in.OrganizationID)
	if err != nil {
		return nil, err
	}
	if org != nil {
		if ok, err := m.store.orgExists(ctx, *org); err != nil {
			return nil, err
		} else if !ok {
			return nil, errs.Invalid("roles.invalid", "No organization has this id.", errs.FieldError{Field: "organization_id", Code: "not_found", Message: "no such organization"})
		}
	}
	r := &role{OrganizationID: org, Permissions: []string{}}
	if in.Name == nil {
		return nil, errs.Invalid("roles.invalid", "The role needs a name.", errs.FieldError{Field: "name", Code: "required", Message: "is required"})
	}
	if in.Permissions == nil {
		in.Permissions = []string{}
	}
	if err := validateRole(r, in); err != nil {
		return nil, err
	}
	if err := m.checkGlobalName(ctx, r); err != nil {
		return nil, err
	}
	if err := m.store.insertRole(ctx, m.store.db, r); err != nil {
		return nil, err
	}
	m.record(ctx, app.AuditEvent{OrganizationID: org, Action: "roles.created", ResourceType: "role", ResourceID: r.ID.String(),
		Details: map[string]any{"name": r.Name, "permissions": r.Permissions}})
	out := toRole(r)
	return &out, nil
}

// checkGlobalName keeps an organization's role from taking the name of a
// global role: both show in the organization's list, and two roles with one
// name cannot be told apart there.
func (m *Module) checkGlobalName(ctx context.Context, r *role) error {
	if r.OrganizationID == nil {
		return nil
	}
	g, err := m.store.roleByName(ctx, nil, r.Name)
	if errs.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if g.ID != r.ID {
		return errRoleNameTaken
	}
	return nil
}

// visibleRole returns a role the request may see: its organization's roles
// and the global ones; anything else is not found.
func (m *Module) visibleRole(ctx context.Context, id uuid.UUID) (*role, error) {
	r, err := m.store.getRole(ctx, m.store.db, id)
	if err != nil {
		return nil, err
	}
	p, scope := httpx.PrincipalFrom(ctx), httpx.ScopeFrom(ctx)
	if r.OrganizationID == nil || (p != nil && p.IsSuperuser && scope.OrganizationID == nil) {
		return r, nil
	}
	if scope.OrganizationID != nil && *scope.OrganizationID == *r.OrganizationID {
		return r, nil
	}
	return nil, errRoleNotFound
}

// editableRole is a visible role the caller may change: organization users
// cannot change global roles.
func (m *Module) editableRole(ctx context.Context, id uuid.UUID) (*role, error) {
	r, err := m.visibleRole(ctx, id)
	if err != nil {
		return nil, err
	}
	if p := httpx.PrincipalFrom(ctx); r.OrganizationID == nil && (p == nil || !p.IsSuperuser) {
		return nil, errs.Forbidden("roles.global_read_only", "Global roles are managed by platform admins.")
	}
	return r, nil
}

// UpdateRole changes a role's name, description or permissions.
func (m *Module) UpdateRole(ctx context.Context, id uuid.UUID, in RoleInput) (*Role, error) {
	r, err := m.editableRole(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := validateRole(r, in); err != nil {
		return nil, err
	}
	if err := m.checkGlobalName(ctx, r); err != nil {
		return nil, err
	}
	if err := m.store.updateRole(ctx, m.store.db, r); err != nil {
		return nil, err
	}
	holders, _ := m.store.usersOfRole(ctx, r.ID)
	m.permissionsChanged(ctx, holders...)
	m.record(ctx, app.AuditEvent{OrganizationID: r.OrganizationID, Action: "roles.updated", ResourceType: "role", ResourceID: r.ID.String(),
		Details: map[string]any{"name": r.Name, "permissions": r.Permissions}})
	out := toRole(r)
	return &out, nil
}

// DeleteRole removes a role and its assignments.
func (m *Module) DeleteRole(ctx context.Context, id uuid.UUID) error {
	r, err := m.editableRole(ctx, id)
	if err != nil {
		return err
	}
	holders, err := m.store.usersOfRole(ctx, r.ID)
	if err != nil {
		return err
	}
	if err := m.store.deleteRole(ctx, m.store.db, r.ID); err != nil {
		return err
	}
	m.permissionsChanged(ctx, holders...)
	m.record(ctx, app.AuditEvent{OrganizationID: r.OrganizationID, Action: "roles.deleted", ResourceType: "role", ResourceID: r.ID.String(),
		Details: map[string]any{"name": r.Name}})
	return nil
}

// ListRoles returns the roles visible in the request's scope.
func (m *Module) ListRoles(ctx context.Context) ([]Role, error) {
	p, scope := httpx.PrincipalFrom(ctx), httpx.ScopeFrom(ctx)
	f := roleFilter{IncludeGlobal: true}
	switch {
	case scope.OrganizationID != nil:
		f.Orgs = []uuid.UUID{*scope.OrganizationID}
	case p != nil && p.IsSuperuser:
		f.All = true
	}
	rows, err := m.store.listRoles(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]Role, len(rows))
	for i := range rows {
		out[i] = toRole(&rows[i])
	}
	return out, nil
}

// checkMember makes sure a user may receive role r in the request's scope,
// returning not found for users the caller may not see.
func (m *Module) checkMember(ctx context.Context, r *role, userID uuid.UUID) error {
	notFound := errs.NotFound("users.not_found", "No user has this id.")
	if m.users == nil {
		return errs.Internal(errorString("orgs: users not wired"))
	}
	org, found, err := m.users.Membership(ctx, userID)
	if err != nil {
		return err
	}
	if !found {
		return notFound
	}
	scope := httpx.ScopeFrom(ctx)
	if scope.OrganizationID != nil && (org == nil || *org != *scope.OrganizationID) {
		return notFound
	}
	if org == nil {
		return errs.Invalid("roles.invalid_member", "Platform admins hold every permission; they take no roles.",
			errs.FieldError{Field: "user_ids", Code: "superuser", Message: "is a platform admin"})
	}
	if r.OrganizationID != nil && *r.OrganizationID != *org {
		return errs.Invalid("roles.invalid_member", "This role belongs to another organization than the user.",
			errs.FieldError{Field: "user_ids", Code: "organization", Message: "is in another organization"})
	}
	return nil
}

type errorString string

func (e errorString) Error() string { return string(e) }

// AssignRole gives a role to users.
func (m *Module) AssignRole(ctx context.Context, roleID uuid.UUID, userIDs []uuid.UUID) error {
	r, err := m.visibleRole(ctx, roleID)
	if err != nil {
		return err
	}
	var by *uuid.UUID
	if p := httpx.PrincipalFrom(ctx); p != nil {
		by = &p.UserID
	}
	rows := make([]userRole, 0, len(userIDs))
	for _, id := range userIDs {
		if err := m.checkMember(ctx, r, id); err != nil {
			return err
		}
		rows = append(rows, userRole{UserID: id, RoleID: r.ID, AssignedBy: by})
	}
	if err := m.store.assign(ctx, m.store.db, rows); err != nil {
		return err
	}
	m.permissionsChanged(ctx, userIDs...)
	for _, id := range userIDs {
		org, _, _ := m.users.Membership(ctx, id)
		m.record(ctx, app.AuditEvent{OrganizationID: org, Action: "roles.assigned", ResourceType: "user", ResourceID: id.String(),
			Details: map[string]any{"role_id": r.ID.String(), "role": r.Name}})
	}
	return nil
}

// UnassignRole takes a role away from a user.
func (m *Module) UnassignRole(ctx context.Context, roleID, userID uuid.UUID) error {
	r, err := m.visibleRole(ctx, roleID)
	if err != nil {
		return err
	}
	org, found, err := m.users.Membership(ctx, userID)
	if err != nil {
		return err
	}
	scope := httpx.ScopeFrom(ctx)
	if !found || (scope.OrganizationID != nil && (org == nil || *org != *scope.OrganizationID)) {
		return errs.NotFound("users.not_found", "No user has this id.")
	}
	removed, err := m.store.unassign(ctx, m.store.db, userID, r.ID)
	if err != nil {
		return err
	}
	if !removed {
		return errs.NotFound("roles.not_assigned", "The user does not hold this role.")
	}
	m.permissionsChanged(ctx, userID)
	m.record(ctx, app.AuditEvent{OrganizationID: org, Action: "roles.unassigned", ResourceType: "user", ResourceID: userID.String(),
		Details: map[string]any{"role_id": r.ID.String(), "role": r.Name}})
	return nil
}

// RoleMember is a holder of a role.
type RoleMember struct {
	UserID uuid.UUID `json:"user_id"`
	Email  string    `json:"email"`
}

// Members lists the users holding a role, within the request's scope.
func (m *Module) Members(ctx context.Context, roleID uuid.UUID) ([]RoleMember, error) {
	r, err := m.visibleRole(ctx, roleID)
	if err != nil {
		return nil, err
	}
	ids, err := m.store.usersOfRole(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	scope := httpx.ScopeFrom(ctx)
	out := []RoleMember{}
	if len(ids) == 0 {
		return out, nil
	}
	emails, err := m.users.Emails(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if scope.OrganizationID != nil {
			// A global role's holders span organizations: show only the scope's.
			org, _, err := m.users.Membership(ctx, id)
			if err != nil {
				return nil, err
			}
			if org == nil || *org != *scope.OrganizationID {
				continue
			}
		}
		if e, ok := emails[id]; ok {
			out = append(out, RoleMember{UserID: id, Email: e})
		}
	}
	return out, nil
}

// RoleRef names a role a user holds.
type RoleRef struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
}

// RolesOf lists the roles a user holds.
func (m *Module) RolesOf(ctx context.Context, userID uuid.UUID) ([]RoleRef, error) {
	rows, err := m.store.rolesOfUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]RoleRef, len(rows))
	for i, r := range rows {
		out[i] = RoleRef{ID: r.ID, Name: r.Name}
	}
	return out, nil
}

// SetRoles makes roleIDs exactly the roles a user holds (used when an admin
// invites or edits a user). Each role must be visible and fit the user.
func (m *Module) SetRoles(ctx context.Context, userID uuid.UUID, roleIDs []uuid.UUID) error {
	var by *uuid.UUID
	if p := httpx.PrincipalFrom(ctx); p != nil {
		by = &p.UserID
	}
	rows := make([]userRole, 0, len(roleIDs))
	for _, id := range roleIDs {
		r, err := m.visibleRole(ctx, id)
		if err != nil {
			return errs.Invalid("users.invalid", "A role does not exist.", errs.FieldError{Field: "role_ids", Code: "not_found", Message: "no role " + id.String()})
		}
		if err := m.checkMember(ctx, r, userID); err != nil {
			return err
		}
		rows = append(rows, userRole{UserID: userID, RoleID: r.ID, AssignedBy: by})
	}
	err := m.store.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := m.store.clearUserRoles(ctx, tx, userID); err != nil {
			return err
		}
		return m.store.assign(ctx, tx, rows)
	})
	if err != nil {
		return err
	}
	m.permissionsChanged(ctx, userID)
	org, _, _ := m.users.Membership(ctx, userID)
	names := make([]string, 0, len(roleIDs))
	for _, id := range roleIDs {
		names = append(names, id.String())
	}
	m.record(ctx, app.AuditEvent{OrganizationID: org, Action: "roles.set", ResourceType: "user", ResourceID: userID.String(),
		Details: map[string]any{"role_ids": names}})
	return nil
}

// EnsureRole returns the role named name in org (nil: global), creating it
// with perms when missing (bifrost seed).
func (m *Module) EnsureRole(ctx context.Context, org *uuid.UUID, name, description string, perms []string) (uuid.UUID, bool, error) {
	if r, err := m.store.roleByName(ctx, org, name); err == nil {
		return r.ID, false, nil
	} else if !errs.IsNotFound(err) {
		return uuid.Nil, false, err
	}
	r := &role{OrganizationID: org}
	if err := validateRole(r, RoleInput{Name: &name, Description: &description, Permissions: perms}); err != nil {
		return uuid.Nil, false, err
	}
	if err := m.store.insertRole(ctx, m.store.db, r); err != nil {
		return uuid.Nil, false, err
	}
	return r.ID, true, nil
}

// EnsureAssigned gives a role to a user if they lack it (bifrost seed).
func (m *Module) EnsureAssigned(ctx context.Context, userID, roleID uuid.UUID) error {
	if err := m.store.assign(ctx, m.store.db, []userRole{{UserID: userID, RoleID: roleID}}); err != nil {
		return err
	}
	m.permissionsChanged(ctx, userID)
	return nil
}
