package httpx_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/labstack/echo/v5"
	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/platform/errs"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// fakeAuth knows principals by bearer token.
type fakeAuth map[string]*httpx.Principal

func (f fakeAuth) Authenticate(c *echo.Context) (*httpx.Principal, error) {
	h := c.Request().Header.Get("Authorization")
	if h == "" {
		return nil, nil
	}
	if p, ok := f["Bearer "+h[len("Bearer "):]]; ok {
		return p, nil
	}
	return nil, errs.Unauthenticated("auth.invalid_token", "bad token")
}

type fakeOrgs map[uuid.UUID]bool

func (f fakeOrgs) OrganizationExists(_ context.Context, id uuid.UUID) (bool, error) {
	return f[id], nil
}

type fakeAuthz map[uuid.UUID][]string

func (f fakeAuthz) HasPermission(_ context.Context, p *httpx.Principal, org uuid.UUID, perm string) (bool, error) {
	if p.OrganizationID == nil || *p.OrganizationID != org {
		return false, nil
	}
	for _, x := range f[p.UserID] {
		if x == perm {
			return true, nil
		}
	}
	return false, nil
}

type scopeOut struct {
	User  string `json:"user"`
	Scope string `json:"scope"`
}

func TestEveryNonPublicRouteIsGuarded(t *testing.T) {
	t.Parallel()
	orgA, orgB := uuid.New(), uuid.New()
	admin := &httpx.Principal{UserID: uuid.New(), IsSuperuser: true}
	alice := &httpx.Principal{UserID: uuid.New(), OrganizationID: &orgA}
	bob := &httpx.Principal{UserID: uuid.New(), OrganizationID: &orgA}
	s, h := newServer(t, nil)
	api := s.API()
	api.SetAuth(fakeAuth{"Bearer admin": admin, "Bearer alice": alice, "Bearer bob": bob},
		fakeOrgs{orgA: true, orgB: true}, fakeAuthz{alice.UserID: {"forms.manage"}})
	show := func(c *echo.Context, _ *httpx.Empty) (*scopeOut, error) {
		p, sc := httpx.PrincipalFrom(c.Request().Context()), httpx.ScopeFrom(c.Request().Context())
		out := &scopeOut{Scope: "global"}
		if p != nil {
			out.User = p.UserID.String()
		}
		if sc.OrganizationID != nil {
			out.Scope = sc.OrganizationID.String()
		}
		return out, nil
	}
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/scope"}, show)
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/forms-admin", Permission: "forms.manage"}, show)
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/platform", AdminOnly: true}, show)
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/maybe", Public: true, OptionalAuth: true}, show)

	for _, tc := range []struct {
		name, path, token, org string
		status                 int
		code, scope            string
	}{
		{name: "no credentials", path: "/api/scope", status: 401, code: "auth.unauthenticated"},
		{name: "bad token", path: "/api/scope", token: "nope", status: 401, code: "auth.invalid_token"},
		{name: "org user in own org", path: "/api/scope", token: "alice", status: 200, scope: orgA.String()},
		{name: "org user naming own org", path: "/api/scope", token: "alice", org: orgA.String(), status: 200, scope: orgA.String()},
		{name: "org user naming another org", path: "/api/scope", token: "alice", org: orgB.String(), status: 403, code: "auth.organization_forbidden"},
		{name: "malformed org header", path: "/api/scope", token: "alice", org: "acme", status: 400, code: "auth.invalid_organization_header"},
		{name: "admin without header is global", path: "/api/scope", token: "admin", status: 200, scope: "global"},
		{name: "admin picks an org", path: "/api/scope", token: "admin", org: orgB.String(), status: 200, scope: orgB.String()},
		{name: "admin names an unknown org", path: "/api/scope", token: "admin", org: uuid.NewString(), status: 404, code: "organizations.not_found"},
		{name: "permission held", path: "/api/forms-admin", token: "alice", status: 200, scope: orgA.String()},
		{name: "permission missing", path: "/api/forms-admin", token: "bob", status: 403, code: "auth.permission_required"},
		{name: "admins hold every permission", path: "/api/forms-admin", token: "admin", status: 200, scope: "global"},
		{name: "admin-only route, org user", path: "/api/platform", token: "alice", status: 403, code: "auth.admin_required"},
		{name: "admin-only route, admin", path: "/api/platform", token: "admin", status: 200, scope: "global"},
		{name: "optional auth, anonymous", path: "/api/maybe", status: 200, scope: "global"},
		{name: "optional auth, bad token ignored", path: "/api/maybe", token: "nope", status: 200, scope: "global"},
		{name: "optional auth, identified", path: "/api/maybe", token: "alice", status: 200, scope: orgA.String()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.token != "" {
				hdr = append(hdr, "Authorization", "Bearer "+tc.token)
			}
			if tc.org != "" {
				hdr = append(hdr, httpx.HeaderOrganization, tc.org)
			}
			rec := do(h, "GET", tc.path, "", hdr...)
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			if tc.code != "" {
				require.Equal(t, tc.code, problem(t, rec).Code)
				return
			}
			var out scopeOut
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
			require.Equal(t, tc.scope, out.Scope)
		})
	}
}
