package orgs

import (
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v5"

	"github.com/bifrost-automation/bifrost/platform/errs"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// ParseID reads an id from the path; a malformed one is simply not found.
func ParseID(s string, notFound *errs.Error) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, notFound
	}
	return id, nil
}

// parseIDs reads ids from a request body field.
func parseIDs(field string, raw []string) ([]uuid.UUID, error) {
	out := make([]uuid.UUID, 0, len(raw))
	for _, s := range raw {
		id, err := uuid.Parse(s)
		if err != nil {
			return nil, errs.Invalid("request.invalid", "The request has invalid fields.", errs.FieldError{Field: field, Code: "uuid", Message: "must be ids (UUIDs)"})
		}
		out = append(out, id)
	}
	return out, nil
}

// PermissionsResponse lists every permission.
type PermissionsResponse struct {
	Items []Permission `json:"items"`
}

// IDRequest names a resource by id.
type IDRequest struct {
	ID string `param:"id"`
}

// ListOrganizationsRequest filters organizations.
type ListOrganizationsRequest struct {
	httpx.PageQuery
	Search string `query:"search" doc:"Part of the name, slug or email domain."`
	Active string `query:"active" validate:"omitempty,oneof=true false" doc:"true or false: only active or only deactivated organizations."`
}

// CreateOrganizationRequest creates an organization.
type CreateOrganizationRequest struct {
	Name        string         `json:"name" validate:"required,max=200"`
	Slug        string         `json:"slug,omitempty" doc:"Defaults to one made from the name."`
	EmailDomain string         `json:"email_domain,omitempty" doc:"e.g. contoso.com"`
	Settings    map[string]any `json:"settings,omitempty"`
}

// UpdateOrganizationRequest changes an organization; absent fields stay.
type UpdateOrganizationRequest struct {
	ID          string         `param:"id"`
	Name        *string        `json:"name,omitempty"`
	Slug        *string        `json:"slug,omitempty"`
	EmailDomain *string        `json:"email_domain,omitempty" doc:"An empty string removes the domain."`
	Settings    map[string]any `json:"settings,omitempty"`
	IsActive    *bool          `json:"is_active,omitempty" doc:"false deactivates: its users can no longer sign in."`
}

// RolesResponse lists roles.
type RolesResponse struct {
	Items []Role `json:"items"`
}

// CreateRoleRequest creates a role.
type CreateRoleRequest struct {
	OrganizationID string   `json:"organization_id,omitempty" validate:"omitempty,uuid" doc:"Platform admins: the role's organization; omitted, the X-Organization-Id organization, or a global role without one."`
	Name           string   `json:"name" validate:"required,max=100"`
	Description    string   `json:"description,omitempty" validate:"max=1000"`
	Permissions    []string `json:"permissions" validate:"required" doc:"Names from GET /api/permissions."`
}

// UpdateRoleRequest changes a role; absent fields stay.
type UpdateRoleRequest struct {
	ID          string   `param:"id"`
	Name        *string  `json:"name,omitempty"`
	Description *string  `json:"description,omitempty"`
	Permissions []string `json:"permissions,omitempty"`
}

// RoleMembersResponse lists a role's holders.
type RoleMembersResponse struct {
	Items []RoleMember `json:"items"`
}

// AssignRoleRequest gives a role to users.
type AssignRoleRequest struct {
	ID      string   `param:"id"`
	UserIDs []string `json:"user_ids" validate:"required,min=1,max=500"`
}

// UnassignRoleRequest takes a role from a user.
type UnassignRoleRequest struct {
	ID     string `param:"id"`
	UserID string `param:"user_id"`
}

func (m *Module) routes(api *httpx.API) {
	tag := []string{"organizations"}
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/permissions", OperationID: "listPermissions", Tags: []string{"roles"},
		Summary: "List the permissions roles can grant"},
		func(c *echo.Context, _ *httpx.Empty) (*PermissionsResponse, error) {
			return &PermissionsResponse{Items: Permissions}, nil
		})

	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/organizations", OperationID: "listOrganizations", Tags: tag,
		Summary: "List organizations", Description: "Platform admins see every organization; organization users see their own."},
		m.listOrgs)
	httpx.Handle(api, httpx.Route{Method: http.MethodPost, Path: "/api/organizations", OperationID: "createOrganization", Tags: tag,
		Summary: "Create an organization", AdminOnly: true, Status: http.StatusCreated, Errors: []int{http.StatusConflict}},
		func(c *echo.Context, in *CreateOrganizationRequest) (*Organization, error) {
			oi := OrganizationInput{Name: &in.Name, Settings: in.Settings}
			if in.Slug != "" {
				oi.Slug = &in.Slug
			}
			if in.EmailDomain != "" {
				oi.EmailDomain = &in.EmailDomain
			}
			return m.CreateOrganization(c.Request().Context(), oi)
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/organizations/:id", OperationID: "getOrganization", Tags: tag,
		Summary: "Get an organization"},
		func(c *echo.Context, in *IDRequest) (*Organization, error) {
			id, err := ParseID(in.ID, errOrgNotFound)
			if err != nil {
				return nil, err
			}
			o, err := m.visibleOrg(c.Request().Context(), id)
			if err != nil {
				return nil, err
			}
			out := toOrganization(o)
			return &out, nil
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodPatch, Path: "/api/organizations/:id", OperationID: "updateOrganization", Tags: tag,
		Summary: "Change an organization", AdminOnly: true, Errors: []int{http.StatusConflict}},
		func(c *echo.Context, in *UpdateOrganizationRequest) (*Organization, error) {
			id, err := ParseID(in.ID, errOrgNotFound)
			if err != nil {
				return nil, err
			}
			return m.UpdateOrganization(c.Request().Context(), id, OrganizationInput{
				Name: in.Name, Slug: in.Slug, EmailDomain: in.EmailDomain, Settings: in.Settings, IsActive: in.IsActive})
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodDelete, Path: "/api/organizations/:id", OperationID: "deactivateOrganization", Tags: tag,
		Summary: "Deactivate an organization", Description: "Organizations are never deleted, so their history stays; a deactivated organization's users cannot sign in.",
		AdminOnly: true},
		func(c *echo.Context, in *IDRequest) (*httpx.Empty, error) {
			id, err := ParseID(in.ID, errOrgNotFound)
			if err != nil {
				return nil, err
			}
			off := false
			_, err = m.UpdateOrganization(c.Request().Context(), id, OrganizationInput{IsActive: &off})
			return nil, err
		})

	rtag := []string{"roles"}
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/roles", OperationID: "listRoles", Tags: rtag,
		Summary: "List roles", Description: "The organization's roles and the global ones; platform admins without X-Organization-Id see all."},
		func(c *echo.Context, _ *httpx.Empty) (*RolesResponse, error) {
			items, err := m.ListRoles(c.Request().Context())
			if err != nil {
				return nil, err
			}
			return &RolesResponse{Items: items}, nil
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodPost, Path: "/api/roles", OperationID: "createRole", Tags: rtag,
		Summary: "Create a role", Permission: PermUsersManage, Status: http.StatusCreated, Errors: []int{http.StatusConflict}},
		func(c *echo.Context, in *CreateRoleRequest) (*Role, error) {
			ri := RoleInput{Name: &in.Name, Description: &in.Description, Permissions: in.Permissions}
			if in.OrganizationID != "" {
				id := uuid.MustParse(in.OrganizationID)
				ri.OrganizationID = &id
			}
			return m.CreateRole(c.Request().Context(), ri)
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/roles/:id", OperationID: "getRole", Tags: rtag, Summary: "Get a role"},
		func(c *echo.Context, in *IDRequest) (*Role, error) {
			id, err := ParseID(in.ID, errRoleNotFound)
			if err != nil {
				return nil, err
			}
			r, err := m.visibleRole(c.Request().Context(), id)
			if err != nil {
				return nil, err
			}
			out := toRole(r)
			return &out, nil
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodPatch, Path: "/api/roles/:id", OperationID: "updateRole", Tags: rtag,
		Summary: "Change a role", Permission: PermUsersManage, Errors: []int{http.StatusConflict}},
		func(c *echo.Context, in *UpdateRoleRequest) (*Role, error) {
			id, err := ParseID(in.ID, errRoleNotFound)
			if err != nil {
				return nil, err
			}
			return m.UpdateRole(c.Request().Context(), id, RoleInput{Name: in.Name, Description: in.Description, Permissions: in.Permissions})
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodDelete, Path: "/api/roles/:id", OperationID: "deleteRole", Tags: rtag,
		Summary: "Delete a role", Permission: PermUsersManage},
		func(c *echo.Context, in *IDRequest) (*httpx.Empty, error) {
			id, err := ParseID(in.ID, errRoleNotFound)
			if err != nil {
				return nil, err
			}
			return nil, m.DeleteRole(c.Request().Context(), id)
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/roles/:id/users", OperationID: "listRoleMembers", Tags: rtag,
		Summary: "List the users holding a role", Permission: PermUsersManage},
		func(c *echo.Context, in *IDRequest) (*RoleMembersResponse, error) {
			id, err := ParseID(in.ID, errRoleNotFound)
			if err != nil {
				return nil, err
			}
			items, err := m.Members(c.Request().Context(), id)
			if err != nil {
				return nil, err
			}
			return &RoleMembersResponse{Items: items}, nil
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodPost, Path: "/api/roles/:id/users", OperationID: "assignRole", Tags: rtag,
		Summary: "Give a role to users", Permission: PermUsersManage},
		func(c *echo.Context, in *AssignRoleRequest) (*httpx.Empty, error) {
			id, err := ParseID(in.ID, errRoleNotFound)
			if err != nil {
				return nil, err
			}
			users, err := parseIDs("user_ids", in.UserIDs)
			if err != nil {
				return nil, err
			}
			return nil, m.AssignRole(c.Request().Context(), id, users)
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodDelete, Path: "/api/roles/:id/users/:user_id", OperationID: "unassignRole", Tags: rtag,
		Summary: "Take a role from a user", Permission: PermUsersManage},
		func(c *echo.Context, in *UnassignRoleRequest) (*httpx.Empty, error) {
			id, err := ParseID(in.ID, errRoleNotFound)
			if err != nil {
				return nil, err
			}
			uid, err := ParseID(in.UserID, errs.NotFound("users.not_found", "No user has this id."))
			if err != nil {
				return nil, err
			}
			return nil, m.UnassignRole(c.Request().Context(), id, uid)
		})
}

func (m *Module) listOrgs(c *echo.Context, in *ListOrganizationsRequest) (*httpx.Page[Organization], error) {
	ctx := c.Request().Context()
	f := orgFilter{Search: strings.TrimSpace(in.Search), Limit: in.Size() + 1}
	if p := httpx.PrincipalFrom(ctx); p != nil && !p.IsSuperuser {
		f.Only = p.OrganizationID
	} else if scope := httpx.ScopeFrom(ctx); scope.OrganizationID != nil {
		f.Only = scope.OrganizationID
	}
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
	rows, err := m.store.listOrgs(ctx, f)
	if err != nil {
		return nil, err
	}
	items := make([]Organization, len(rows))
	for i := range rows {
		items[i] = toOrganization(&rows[i])
	}
	return httpx.NewPage(items, in.Size(), func(o Organization) string {
		return httpx.EncodeCursor(strings.ToLower(o.Name), o.ID.String())
	}), nil
}
