package httpx

import (
	"context"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v5"

	"github.com/bifrost-automation/bifrost/platform/errs"
)

// HeaderOrganization names the organization a platform admin acts on.
const HeaderOrganization = "X-Organization-Id"

// Principal is the authenticated caller of a request.
type Principal struct {
	UserID      uuid.UUID
	Email       string
	Name        string
	IsSuperuser bool
	// OrganizationID is the user's organization; nil for platform admins.
	OrganizationID *uuid.UUID
	// SessionID identifies the login session (the refresh-token family).
	SessionID string
	// Method is how the request authenticated: bearer or cookie.
	Method string
}

// Scope is the organization a request acts on. A nil OrganizationID is the
// global scope, open only to platform admins.
type Scope struct {
	OrganizationID *uuid.UUID
}

// IsGlobal reports whether the request acts on global (cross-organization)
// data.
func (s Scope) IsGlobal() bool { return s.OrganizationID == nil }

// Authenticator turns a request's credentials into a principal. It returns
// (nil, nil) when the request carries none, and an error (401 or 403) for
// bad ones, including a missing CSRF token on a cookie-authenticated change.
type Authenticator interface {
	Authenticate(c *echo.Context) (*Principal, error)
}

// OrgResolver tells whether an organization exists.
type OrgResolver interface {
	OrganizationExists(ctx context.Context, id uuid.UUID) (bool, error)
}

// Authorizer answers whether a principal holds a permission in an
// organization.
type Authorizer interface {
	HasPermission(ctx context.Context, p *Principal, org uuid.UUID, permission string) (bool, error)
}

type principalKey struct{}
type scopeKey struct{}

// PrincipalFrom returns the request's principal; nil on public routes
// without credentials.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// ScopeFrom returns the organization scope the request acts on.
func ScopeFrom(ctx context.Context) Scope {
	s, _ := ctx.Value(scopeKey{}).(Scope)
	return s
}

// WithPrincipal returns ctx carrying p and its scope (used by tests and
// by code that acts on behalf of a user outside a request).
func WithPrincipal(ctx context.Context, p *Principal, s Scope) context.Context {
	return context.WithValue(context.WithValue(ctx, principalKey{}, p), scopeKey{}, s)
}

// Require checks that the principal of ctx holds permission in its scope's
// organization (platform admins hold every permission). Routes declare
// their permission and the guard calls it; module functions that the
// workflow runtime calls outside a route call it themselves.
func Require(ctx context.Context, authz Authorizer, permission string) error {
	p, scope := PrincipalFrom(ctx), ScopeFrom(ctx)
	switch {
	case p == nil:
		return errs.Unauthenticated("auth.unauthenticated", "No user is acting.")
	case p.IsSuperuser:
		return nil
	case authz == nil || scope.OrganizationID == nil:
		return errs.Forbidden("auth.forbidden", "You do not have permission to do this.")
	}
	ok, err := authz.HasPermission(ctx, p, *scope.OrganizationID, permission)
	if err != nil {
		return err
	}
	if !ok {
		return errs.Newf(errs.KindForbidden, "auth.permission_required", "This needs the %q permission.", permission)
	}
	return nil
}

// guard authenticates the request, resolves its organization scope and
// checks the route's permission. Every non-public route runs behind it, so
// a route added later is protected without doing anything.
func (a *API) guard(r Route) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			if a.authn == nil {
				return errs.Unavailable("auth.not_configured", "Authentication is not available on this server.")
			}
			p, err := a.authn.Authenticate(c)
			if err != nil {
				return err
			}
			if p == nil {
				return errs.Unauthenticated("auth.unauthenticated", "Sign in, or send an access token in the Authorization header.")
			}
			scope, err := a.resolveScope(c, p)
			if err != nil {
				return err
			}
			req := c.Request()
			ctx := WithPrincipal(req.Context(), p, scope)
			c.SetRequest(req.WithContext(ctx))
			if r.Permission != "" {
				if err := Require(ctx, a.authz, r.Permission); err != nil {
					return err
				}
			}
			if r.AdminOnly && !p.IsSuperuser {
				return errs.Forbidden("auth.admin_required", "Only platform admins can do this.")
			}
			return next(c)
		}
	}
}

// identify attaches the principal of a public route's request when its
// credentials are valid, and otherwise lets it through anonymous: a stale
// cookie must not break the login page.
func (a *API) identify(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		if a.authn == nil {
			return next(c)
		}
		p, err := a.authn.Authenticate(c)
		if err != nil || p == nil {
			return next(c)
		}
		scope, err := a.resolveScope(c, p)
		if err != nil {
			return next(c)
		}
		req := c.Request()
		c.SetRequest(req.WithContext(WithPrincipal(req.Context(), p, scope)))
		return next(c)
	}
}

// resolveScope applies DESIGN §9: an organization user always acts in
// their own organization and naming another is forbidden; a platform admin
// acts globally unless X-Organization-Id names an organization.
func (a *API) resolveScope(c *echo.Context, p *Principal) (Scope, error) {
	raw := c.Request().Header.Get(HeaderOrganization)
	var named *uuid.UUID
	if raw != "" {
		id, err := uuid.Parse(raw)
		if err != nil {
			return Scope{}, errs.Malformed("auth.invalid_organization_header", HeaderOrganization+" must be an organization id (a UUID).")
		}
		named = &id
	}
	if !p.IsSuperuser {
		if p.OrganizationID == nil {
			return Scope{}, errs.Forbidden("auth.no_organization", "Your account belongs to no organization.")
		}
		if named != nil && *named != *p.OrganizationID {
			return Scope{}, errs.Forbidden("auth.organization_forbidden", "You can only act in your own organization.")
		}
		return Scope{OrganizationID: p.OrganizationID}, nil
	}
	if named == nil {
		return Scope{}, nil
	}
	if a.orgs != nil {
		ok, err := a.orgs.OrganizationExists(c.Request().Context(), *named)
		if err != nil {
			return Scope{}, err
		}
		if !ok {
			return Scope{}, errs.NotFound("organizations.not_found", "No organization has this id.")
		}
	}
	return Scope{OrganizationID: named}, nil
}

// SetAuth installs the authenticator, organization resolver and authorizer
// that guard every non-public route.
func (a *API) SetAuth(authn Authenticator, orgs OrgResolver, authz Authorizer) {
	a.authn, a.orgs, a.authz = authn, orgs, authz
}

// IsUnsafeMethod reports whether a request method changes state (and so
// needs a CSRF token when authenticated by cookie).
func IsUnsafeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}
