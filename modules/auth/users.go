package auth

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v5"
	"github.com/uptrace/bun"

	"github.com/bifrost-automation/bifrost/modules/orgs"
	"github.com/bifrost-automation/bifrost/platform/app"
	"github.com/bifrost-automation/bifrost/platform/db"
	"github.com/bifrost-automation/bifrost/platform/errs"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// User is an account as admins see it.
type User struct {
	ID                uuid.UUID      `json:"id"`
	Email             string         `json:"email"`
	Name              string         `json:"name"`
	IsActive          bool           `json:"is_active"`
	IsSuperuser       bool           `json:"is_superuser"`
	IsVerified        bool           `json:"is_verified"`
	OrganizationID    *uuid.UUID     `json:"organization_id"`
	HasPassword       bool           `json:"has_password"`
	InvitationPending bool           `json:"invitation_pending"`
	Roles             []orgs.RoleRef `json:"roles"`
	LastLoginAt       *time.Time     `json:"last_login_at"`
	CreatedAt         time.Time      `json:"created_at"`
	UpdatedAt         time.Time      `json:"updated_at"`
}

func (m *Module) toUser(ctx context.Context, u *user, withRoles bool) (User, error) {
	out := User{ID: u.ID, Email: u.Email, Name: u.DisplayName, IsActive: u.IsActive, IsSuperuser: u.IsSuperuser,
		IsVerified: u.IsVerified, OrganizationID: u.OrganizationID, HasPassword: u.PasswordHash != nil,
		Roles: []orgs.RoleRef{}, LastLoginAt: u.LastLoginAt, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
	if u.PasswordHash == nil {
		pending, err := m.store.hasPendingInvitation(ctx, u.ID)
		if err != nil {
			return out, err
		}
		out.InvitationPending = pending
	}
	if withRoles && !u.IsSuperuser {
		roles, err := m.orgs.RolesOf(ctx, u.ID)
		if err != nil {
			return out, err
		}
		out.Roles = roles
	}
	return out, nil
}

// visibleUser returns a user the request may see: platform admins see
// everyone (in the scope they chose); others only their organization's
// users. Anyone else is not found.
func (m *Module) visibleUser(ctx context.Context, idb bun.IDB, id uuid.UUID) (*user, error) {
	u, err := m.store.userByID(ctx, idb, id)
	if err != nil {
		return nil, err
	}
	scope := httpx.ScopeFrom(ctx)
	if scope.OrganizationID != nil && (u.OrganizationID == nil || *u.OrganizationID != *scope.OrganizationID) {
		return nil, errUserNotFound
	}
	return u, nil
}

// UserInput is a new user or changes to one.
type UserInput struct {
	Email          string
	Name           *string
	OrganizationID *uuid.UUID
	IsSuperuser    *bool
	IsActive       *bool
	RoleIDs        []uuid.UUID
	SetRoles       bool
	SendInvitation bool
}

// InviteUser creates an account without a password and emails an
// invitation to set one.
func (m *Module) InviteUser(ctx context.Context, in UserInput) (*User, error) {
	p, scope := httpx.PrincipalFrom(ctx), httpx.ScopeFrom(ctx)
	email, err := validEmail("email", in.Email)
	if err != nil {
		return nil, err
	}
	super := in.IsSuperuser != nil && *in.IsSuperuser
	org := in.OrganizationID
	switch {
	case !p.IsSuperuser:
		if super {
			return nil, errs.Forbidden("auth.admin_required", "Only platform admins can create platform admins.")
		}
		if org != nil && *org != *p.OrganizationID {
			return nil, errs.Forbidden("auth.organization_forbidden", "You can only act in your own organization.")
		}
		org = p.OrganizationID
	case super:
		if org != nil {
			return nil, errs.Invalid("users.invalid", "Platform admins belong to no organization.",
				errs.FieldError{Field: "organization_id", Code: "superuser", Message: "must be empty for a platform admin"})
		}
	default:
		if org == nil {
			org = scope.OrganizationID
		} else if scope.OrganizationID != nil && *org != *scope.OrganizationID {
			return nil, errs.Invalid("users.invalid", "organization_id differs from X-Organization-Id.",
				errs.FieldError{Field: "organization_id", Code: "scope", Message: "must match X-Organization-Id"})
		}
		if org == nil {
			return nil, errs.Invalid("users.invalid", "Say which organization the user joins, or make them a platform admin.",
				errs.FieldError{Field: "organization_id", Code: "required", Message: "is required unless is_superuser is true"})
		}
	}
	orgName := ""
	if org != nil {
		info, err := m.orgs.Organization(ctx, *org)
		if errs.IsNotFound(err) {
			return nil, errs.Invalid("users.invalid", "No organization has this id.", errs.FieldError{Field: "organization_id", Code: "not_found", Message: "no such organization"})
		}
		if err != nil {
			return nil, err
		}
		orgName = info.Name
	}
	u := &user{Email: email, IsActive: true, IsSuperuser: super, OrganizationID: org, InvitedBy: &p.UserID}
	if in.Name != nil {
		u.DisplayName = strings.TrimSpace(*in.Name)
	}
	token := newLinkToken()
	err = m.store.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := m.store.insertUser(ctx, tx, u); err != nil {
			return err
		}
		return m.store.insertToken(ctx, tx, u.ID, purposeInvitation, token, invitationTTLHours*time.Hour)
	})
	if err != nil {
		return nil, err
	}
	if len(in.RoleIDs) > 0 {
		if err := m.orgs.SetRoles(ctx, u.ID, in.RoleIDs); err != nil {
			// The account exists but the roles were refused: keep the
			// account, report the roles problem.
			m.log.Warn("auth: invited user created without roles", "user", u.ID, "error", err)
			return nil, err
		}
	}
	if in.SendInvitation {
		inviter := p.Name
		if inviter == "" {
			inviter = p.Email
		}
		m.sendInvitation(ctx, u.Email, inviter, orgName, token)
	}
	m.record(ctx, app.AuditEvent{OrganizationID: org, Action: "users.invited", ResourceType: "user", ResourceID: u.ID.String(),
		Details: map[string]any{"email": u.Email, "is_superuser": super}})
	out, err := m.toUser(ctx, u, true)
	return &out, err
}

// ResendInvitation emails a fresh invitation link to a user who has not
// accepted yet.
func (m *Module) ResendInvitation(ctx context.Context, id uuid.UUID) error {
	u, err := m.visibleUser(ctx, m.store.db, id)
	if err != nil {
		return err
	}
	if u.PasswordHash != nil {
		return errs.Conflict("users.already_active", "This user already set a password.")
	}
	token := newLinkToken()
	if err := m.store.insertToken(ctx, m.store.db, u.ID, purposeInvitation, token, invitationTTLHours*time.Hour); err != nil {
		return err
	}
	orgName := ""
	if u.OrganizationID != nil {
		if info, err := m.orgs.Organization(ctx, *u.OrganizationID); err == nil {
			orgName = info.Name
		}
	}
	p := httpx.PrincipalFrom(ctx)
	m.sendInvitation(ctx, u.Email, p.Email, orgName, token)
	m.record(ctx, app.AuditEvent{OrganizationID: u.OrganizationID, Action: "users.invitation_resent", ResourceType: "user", ResourceID: u.ID.String()})
	return nil
}

// UpdateUser changes a user's name, status, kind or roles.
func (m *Module) UpdateUser(ctx context.Context, id uuid.UUID, in UserInput) (*User, error) {
	p := httpx.PrincipalFrom(ctx)
	var u *user
	changes := map[string]any{}
	deactivated := false
	err := m.store.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if u, err = m.visibleUser(ctx, tx, id); err != nil {
			return err
		}
		if u.IsSuperuser && !p.IsSuperuser {
			return errUserNotFound
		}
		cols := []string{}
		if in.Name != nil {
			n := strings.TrimSpace(*in.Name)
			if len(n) > 200 {
				return errs.Invalid("users.invalid", "The name is too long.", errs.FieldError{Field: "name", Code: "too_long", Message: "must be at most 200 characters"})
			}
			u.DisplayName, changes["name"] = n, n
			cols = append(cols, "display_name")
		}
		if in.IsSuperuser != nil && *in.IsSuperuser != u.IsSuperuser {
			if !p.IsSuperuser {
				return errs.Forbidden("auth.admin_required", "Only platform admins can change who is a platform admin.")
			}
			if *in.IsSuperuser {
				u.IsSuperuser, u.OrganizationID = true, nil
			} else {
				if in.OrganizationID == nil {
					return errs.Invalid("users.invalid", "A user who stops being a platform admin needs an organization.",
						errs.FieldError{Field: "organization_id", Code: "required", Message: "is required when is_superuser becomes false"})
				}
				if _, err := m.orgs.Organization(ctx, *in.OrganizationID); err != nil {
					return errs.Invalid("users.invalid", "No organization has this id.", errs.FieldError{Field: "organization_id", Code: "not_found", Message: "no such organization"})
				}
				u.IsSuperuser, u.OrganizationID = false, in.OrganizationID
			}
			changes["is_superuser"] = u.IsSuperuser
			cols = append(cols, "is_superuser", "organization_id")
		} else if in.OrganizationID != nil && (u.OrganizationID == nil || *in.OrganizationID != *u.OrganizationID) {
			return errs.Invalid("users.invalid", "Users cannot move between organizations; invite them again in the other one.",
				errs.FieldError{Field: "organization_id", Code: "immutable", Message: "cannot change"})
		}
		if in.IsActive != nil && *in.IsActive != u.IsActive {
			if !*in.IsActive && u.ID == p.UserID {
				return errs.Invalid("users.invalid", "You cannot deactivate yourself.", errs.FieldError{Field: "is_active", Code: "self", Message: "cannot deactivate your own account"})
			}
			u.IsActive, changes["is_active"] = *in.IsActive, *in.IsActive
			deactivated = !u.IsActive
			cols = append(cols, "is_active")
		}
		if len(cols) > 0 {
			if err := m.store.updateUser(ctx, tx, u, cols...); err != nil {
				return err
			}
		}
		// The last active platform admin stays: someone must be able to administer.
		if _, ok := changes["is_superuser"]; ok || deactivated {
			if n, err := m.store.activeSuperusers(ctx, tx); err != nil {
				return err
			} else if n == 0 {
				return errs.Conflict("users.last_admin", "This is the last active platform admin.")
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if in.SetRoles {
		if err := m.orgs.SetRoles(ctx, u.ID, in.RoleIDs); err != nil {
			return nil, err
		}
		changes["roles"] = len(in.RoleIDs)
	}
	if deactivated || changes["is_superuser"] != nil {
		// Tokens carry the account's kind and organization: end the sessions.
		if err := m.sessions.endAll(ctx, u.ID); err != nil {
			m.log.Error("auth: could not end sessions of a changed user", "user", u.ID, "error", err)
		}
	}
	action := "users.updated"
	if deactivated {
		action = "users.deactivated"
	}
	m.record(ctx, app.AuditEvent{OrganizationID: u.OrganizationID, Action: action, ResourceType: "user", ResourceID: u.ID.String(), Details: changes})
	out, err := m.toUser(ctx, u, true)
	return &out, err
}

// Membership implements orgs.Users.
func (m *Module) Membership(ctx context.Context, userID uuid.UUID) (*uuid.UUID, bool, error) {
	u, err := m.store.userByID(ctx, m.store.db, userID)
	if errs.IsNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return u.OrganizationID, true, nil
}

// Emails implements orgs.Users.
func (m *Module) Emails(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	rows, err := m.store.usersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]string, len(rows))
	for _, u := range rows {
		out[u.ID] = u.Email
	}
	return out, nil
}

var _ orgs.Users = (*Module)(nil)

// ListUsersRequest filters users.
type ListUsersRequest struct {
	httpx.PageQuery
	Search string `query:"search" doc:"Part of the email or name."`
	Active string `query:"active" validate:"omitempty,oneof=true false"`
}

// CreateUserRequest invites a user.
type CreateUserRequest struct {
	Email          string   `json:"email" validate:"required,max=320"`
	Name           string   `json:"name,omitempty" validate:"max=200"`
	OrganizationID string   `json:"organization_id,omitempty" validate:"omitempty,uuid" doc:"The user's organization; defaults to the request's (X-Organization-Id, or the caller's own)."`
	IsSuperuser    bool     `json:"is_superuser,omitempty" doc:"Platform admins only: make a platform admin."`
	RoleIDs        []string `json:"role_ids,omitempty" validate:"omitempty,dive,uuid"`
	SendInvitation *bool    `json:"send_invitation,omitempty" doc:"Email the invitation (default true)."`
}

// UpdateUserRequest changes a user; absent fields stay.
type UpdateUserRequest struct {
	ID             string   `param:"id"`
	Name           *string  `json:"name,omitempty"`
	IsActive       *bool    `json:"is_active,omitempty" doc:"false deactivates the user and ends their sessions."`
	IsSuperuser    *bool    `json:"is_superuser,omitempty" doc:"Platform admins only."`
	OrganizationID string   `json:"organization_id,omitempty" validate:"omitempty,uuid" doc:"Needed when is_superuser becomes false."`
	RoleIDs        []string `json:"role_ids,omitempty" validate:"omitempty,dive,uuid" doc:"The complete set of the user's roles."`
}

// UserIDRequest names a user.
type UserIDRequest struct {
	ID string `param:"id"`
}

func parseUUIDs(raw []string) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(raw))
	for _, s := range raw {
		out = append(out, uuid.MustParse(s))
	}
	return out
}

func userID(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, errUserNotFound
	}
	return id, nil
}

func (m *Module) userRoutes(api *httpx.API) {
	tag := []string{"users"}
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/users", OperationID: "listUsers", Tags: tag,
		Summary: "List users", Description: "Platform admins see every user (or one organization's with X-Organization-Id); organization users see their organization's.",
		Permission: orgs.PermUsersManage}, m.listUsers)
	httpx.Handle(api, httpx.Route{Method: http.MethodPost, Path: "/api/users", OperationID: "inviteUser", Tags: tag,
		Summary: "Invite a user", Description: "Creates the account without a password and emails a link to set one (valid 7 days).",
		Permission: orgs.PermUsersManage, Status: http.StatusCreated, Errors: []int{http.StatusConflict}},
		func(c *echo.Context, in *CreateUserRequest) (*User, error) {
			ui := UserInput{Email: in.Email, Name: &in.Name, IsSuperuser: &in.IsSuperuser, RoleIDs: parseUUIDs(in.RoleIDs),
				SendInvitation: in.SendInvitation == nil || *in.SendInvitation}
			if in.OrganizationID != "" {
				id := uuid.MustParse(in.OrganizationID)
				ui.OrganizationID = &id
			}
			return m.InviteUser(c.Request().Context(), ui)
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/users/:id", OperationID: "getUser", Tags: tag,
		Summary: "Get a user", Permission: orgs.PermUsersManage},
		func(c *echo.Context, in *UserIDRequest) (*User, error) {
			ctx := c.Request().Context()
			id, err := userID(in.ID)
			if err != nil {
				return nil, err
			}
			u, err := m.visibleUser(ctx, m.store.db, id)
			if err != nil {
				return nil, err
			}
			out, err := m.toUser(ctx, u, true)
			return &out, err
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodPatch, Path: "/api/users/:id", OperationID: "updateUser", Tags: tag,
		Summary: "Change a user", Permission: orgs.PermUsersManage, Errors: []int{http.StatusConflict}},
		func(c *echo.Context, in *UpdateUserRequest) (*User, error) {
			id, err := userID(in.ID)
			if err != nil {
				return nil, err
			}
			ui := UserInput{Name: in.Name, IsActive: in.IsActive, IsSuperuser: in.IsSuperuser}
			if in.OrganizationID != "" {
				org := uuid.MustParse(in.OrganizationID)
				ui.OrganizationID = &org
			}
			if in.RoleIDs != nil {
				ui.SetRoles, ui.RoleIDs = true, parseUUIDs(in.RoleIDs)
			}
			return m.UpdateUser(c.Request().Context(), id, ui)
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodDelete, Path: "/api/users/:id", OperationID: "deactivateUser", Tags: tag,
		Summary: "Deactivate a user", Description: "Users are never deleted, so their history stays; a deactivated user's sessions end at once.",
		Permission: orgs.PermUsersManage, Errors: []int{http.StatusConflict}},
		func(c *echo.Context, in *UserIDRequest) (*httpx.Empty, error) {
			id, err := userID(in.ID)
			if err != nil {
				return nil, err
			}
			off := false
			_, err = m.UpdateUser(c.Request().Context(), id, UserInput{IsActive: &off})
			return nil, err
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodPost, Path: "/api/users/:id/invitation", OperationID: "resendInvitation", Tags: tag,
		Summary: "Email the invitation again", Permission: orgs.PermUsersManage, Errors: []int{http.StatusConflict}},
		func(c *echo.Context, in *UserIDRequest) (*httpx.Empty, error) {
			id, err := userID(in.ID)
			if err != nil {
				return nil, err
			}
			return nil, m.ResendInvitation(c.Request().Context(), id)
		})
}

func (m *Module) listUsers(c *echo.Context, in *ListUsersRequest) (*httpx.Page[User], error) {
	ctx := c.Request().Context()
	f := userFilter{Org: httpx.ScopeFrom(ctx).OrganizationID, Search: strings.TrimSpace(in.Search), Limit: in.Size() + 1}
	if in.Active != "" {
		v := in.Active == "true"
		f.Active = &v
	}
	if in.Cursor != "" {
		var err error
		if f.AfterKey, f.AfterID, err = httpx.DecodeKeyCursor(in.Cursor); err != nil {
			return nil, err
		}
	}
	rows, err := m.store.listUsers(ctx, f)
	if err != nil {
		return nil, err
	}
	items := make([]User, 0, len(rows))
	for i := range rows {
		u, err := m.toUser(ctx, &rows[i], true)
		if err != nil {
			return nil, err
		}
		items = append(items, u)
	}
	return httpx.NewPage(items, in.Size(), func(u User) string {
		return httpx.EncodeCursor(strings.ToLower(u.Email), u.ID.String())
	}), nil
}

// Account is who a command-line run acts as.
type Account struct {
	ID             uuid.UUID
	Email          string
	Name           string
	IsSuperuser    bool
	OrganizationID *uuid.UUID
}

// Account finds an active account by email; an empty email is the oldest
// active platform admin.
func (m *Module) Account(ctx context.Context, email string) (*Account, error) {
	var u *user
	var err error
	if strings.TrimSpace(email) == "" {
		u = new(user)
		err = m.store.db.NewSelect().Model(u).Where("is_superuser AND is_active").OrderExpr("created_at").Limit(1).Scan(ctx)
		if db.IsNoRows(err) {
			return nil, errs.NotFound("auth.no_admin", "There is no platform admin yet: create one with `bifrost user create --admin`.")
		}
	} else {
		u, err = m.store.userByEmail(ctx, m.store.db, email)
	}
	if err != nil {
		return nil, err
	}
	if !u.IsActive {
		return nil, errs.Forbidden("auth.user_inactive", "This account is deactivated.")
	}
	return &Account{ID: u.ID, Email: u.Email, Name: u.DisplayName, IsSuperuser: u.IsSuperuser, OrganizationID: u.OrganizationID}, nil
}
