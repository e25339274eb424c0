package orgs

import (
	"context"
	"encoding/json"

	"github.com/google/uuid"

	"github.com/bifrost-automation/bifrost/platform/errs"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// runtimeArgs are the arguments of the SDK's organizations and roles calls.
type runtimeArgs struct {
	OrgID       string         `json:"org_id"`
	RoleID      string         `json:"role_id"`
	Name        *string        `json:"name"`
	Domain      *string        `json:"domain"`
	Description *string        `json:"description"`
	IsActive    *bool          `json:"is_active"`
	Permissions []string       `json:"permissions"`
	UserIDs     []string       `json:"user_ids"`
	Fields      map[string]any `json:"fields"`
}

// RuntimeCall answers the workflow SDK's organizations.* and roles.* calls,
// which are for platform admins.
func (m *Module) RuntimeCall(ctx context.Context, method string, raw json.RawMessage) (any, error) {
	if p := httpx.PrincipalFrom(ctx); p == nil || !p.IsSuperuser {
		return nil, errs.Forbidden("auth.admin_required", "Only platform admins can manage organizations and roles.")
	}
	var a runtimeArgs
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, errs.Malformed("orgs.bad_call", "The call's arguments are not readable.")
		}
	}
	switch method {
	case "organizations.create":
		return m.CreateOrganization(ctx, OrganizationInput{Name: a.Name, EmailDomain: a.Domain, IsActive: a.IsActive})
	case "organizations.get":
		id, err := parseID(a.OrgID, errOrgNotFound)
		if err != nil {
			return nil, err
		}
		o, err := m.store.getOrg(ctx, m.store.db, id)
		if errs.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		out := toOrganization(o)
		return &out, nil
	case "organizations.list":
		rows, err := m.store.listOrgs(ctx, orgFilter{Limit: 10000})
		if err != nil {
			return nil, err
		}
		out := make([]Organization, len(rows))
		for i := range rows {
			out[i] = toOrganization(&rows[i])
		}
		return out, nil
	case "organizations.update":
		id, err := parseID(a.OrgID, errOrgNotFound)
		if err != nil {
			return nil, err
		}
		in := OrganizationInput{}
		if v, ok := a.Fields["name"].(string); ok {
			in.Name = &v
		}
		for _, k := range []string{"domain", "email_domain"} {
			if v, ok := a.Fields[k].(string); ok {
				in.EmailDomain = &v
			}
		}
		if v, ok := a.Fields["slug"].(string); ok {
			in.Slug = &v
		}
		if v, ok := a.Fields["is_active"].(bool); ok {
			in.IsActive = &v
		}
		if v, ok := a.Fields["settings"].(map[string]any); ok {
			in.Settings = v
		}
		return m.UpdateOrganization(ctx, id, in)
	case "organizations.delete":
		id, err := parseID(a.OrgID, errOrgNotFound)
		if err != nil {
			return nil, err
		}
		inactive := false
		if _, err := m.UpdateOrganization(ctx, id, OrganizationInput{IsActive: &inactive}); err != nil {
			return nil, err
		}
		return true, nil
	case "roles.create":
		in := RoleInput{Name: a.Name, Description: a.Description, Permissions: nonNil(a.Permissions)}
		if scope := httpx.ScopeFrom(ctx); scope.OrganizationID != nil {
			in.OrganizationID = scope.OrganizationID
		}
		return m.CreateRole(ctx, in)
	case "roles.get":
		id, err := parseID(a.RoleID, errRoleNotFound)
		if err != nil {
			return nil, err
		}
		r, err := m.visibleRole(ctx, id)
		if errs.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		out := toRole(r)
		return &out, nil
	case "roles.list":
		return m.ListRoles(ctx)
	case "roles.update":
		id, err := parseID(a.RoleID, errRoleNotFound)
		if err != nil {
			return nil, err
		}
		in := RoleInput{}
		if v, ok := a.Fields["name"].(string); ok {
			in.Name = &v
		}
		if v, ok := a.Fields["description"].(string); ok {
			in.Description = &v
		}
		if v, ok := a.Fields["permissions"].([]any); ok {
			in.Permissions = []string{}
			for _, p := range v {
				if s, ok := p.(string); ok {
					in.Permissions = append(in.Permissions, s)
				}
			}
		}
		return m.UpdateRole(ctx, id, in)
	case "roles.delete":
		id, err := parseID(a.RoleID, errRoleNotFound)
		if err != nil {
			return nil, err
		}
		if err := m.DeleteRole(ctx, id); err != nil {
			return nil, err
		}
		return true, nil
	case "roles.list_users":
		id, err := parseID(a.RoleID, errRoleNotFound)
		if err != nil {
			return nil, err
		}
		return m.Members(ctx, id)
	case "roles.assign_users":
		id, err := parseID(a.RoleID, errRoleNotFound)
		if err != nil {
			return nil, err
		}
		users := make([]uuid.UUID, 0, len(a.UserIDs))
		for _, s := range a.UserIDs {
			u, err := uuid.Parse(s)
			if err != nil {
				return nil, errs.Invalid("roles.invalid_member", "user_ids must be user ids.")
			}
			users = append(users, u)
		}
		return nil, m.AssignRole(ctx, id, users)
	case "roles.list_forms", "roles.assign_forms":
		return nil, errs.Unavailable("workflows.not_available", "Forms are not available on this server yet.")
	}
	return nil, errs.Newf(errs.KindNotFound, "workflows.unknown_call", "Bifrost has no %s call.", method)
}

func parseID(s string, notFound error) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, notFound
	}
	return id, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
