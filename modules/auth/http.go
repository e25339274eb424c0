package auth

import (
	"crypto/hmac"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v5"

	"github.com/bifrost-automation/bifrost/modules/orgs"
	"github.com/bifrost-automation/bifrost/platform/errs"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// Cookies of a browser session. The access and refresh cookies are
// HttpOnly; the CSRF cookie is readable by the web UI, which echoes it in
// the X-CSRF-Token header of every state-changing request.
const (
	CookieAccess  = "bifrost_access"
	CookieRefresh = "bifrost_refresh"
	CookieCSRF    = "bifrost_csrf"
	HeaderCSRF    = "X-CSRF-Token"
	refreshPath   = "/api/auth"
)

var errCSRF = errs.Forbidden("auth.csrf_failed", "Missing or wrong "+HeaderCSRF+" header: send the value of the "+CookieCSRF+" cookie.")

// Authenticate implements httpx.Authenticator: a bearer token first, then
// the access cookie, which for a state-changing request must come with the
// session's CSRF token.
func (m *Module) Authenticate(c *echo.Context) (*httpx.Principal, error) {
	req := c.Request()
	if h := req.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
			return nil, errs.Unauthenticated("auth.invalid_authorization", "Use the header Authorization: Bearer <access token>.")
		}
		return m.principal(strings.TrimSpace(tok), "bearer")
	}
	ck, err := req.Cookie(CookieAccess)
	if err != nil || ck.Value == "" {
		return nil, nil
	}
	p, err := m.principal(ck.Value, "cookie")
	if err != nil {
		return nil, err
	}
	if httpx.IsUnsafeMethod(req.Method) && !hmac.Equal([]byte(req.Header.Get(HeaderCSRF)), []byte(m.csrfToken(p.SessionID))) {
		return nil, errCSRF
	}
	return p, nil
}

func (m *Module) principal(token, method string) (*httpx.Principal, error) {
	p, err := m.signer.verify(token)
	if err != nil {
		return nil, err
	}
	if m.sessions.isRevoked(p.SessionID) {
		return nil, errSessionEnded
	}
	p.Method = method
	return p, nil
}

func (m *Module) setSessionCookies(c *echo.Context, s *Session) {
	refreshAge := int(m.cfg.RefreshTokenTTL.D().Seconds())
	// The access cookie outlives its token on purpose: an expired token
	// gets auth.token_expired, which tells the web UI to refresh, where a
	// missing cookie would look like a signed-out browser.
	c.SetCookie(&http.Cookie{Name: CookieAccess, Value: s.AccessToken, Path: "/", MaxAge: refreshAge,
		HttpOnly: true, Secure: m.secure, SameSite: http.SameSiteLaxMode})
	c.SetCookie(&http.Cookie{Name: CookieRefresh, Value: s.RefreshToken, Path: refreshPath, MaxAge: refreshAge,
		HttpOnly: true, Secure: m.secure, SameSite: http.SameSiteLaxMode})
	c.SetCookie(&http.Cookie{Name: CookieCSRF, Value: s.CSRFToken, Path: "/", MaxAge: refreshAge,
		Secure: m.secure, SameSite: http.SameSiteLaxMode})
}

func (m *Module) clearSessionCookies(c *echo.Context) {
	for _, ck := range []struct{ name, path string }{{CookieAccess, "/"}, {CookieRefresh, refreshPath}, {CookieCSRF, "/"}} {
		c.SetCookie(&http.Cookie{Name: ck.name, Value: "", Path: ck.path, MaxAge: -1, HttpOnly: ck.name != CookieCSRF, Secure: m.secure, SameSite: http.SameSiteLaxMode})
	}
}

// TokenResponse is a signed-in session for API clients; browsers also get
// it as cookies.
type TokenResponse struct {
	AccessToken  string `json:"access_token" doc:"Send as Authorization: Bearer <access_token>."`
	RefreshToken string `json:"refresh_token" doc:"Exchange at POST /api/auth/refresh before the access token expires; each use returns a new one, and reusing an old one ends the session."`
	TokenType    string `json:"token_type" enum:"bearer"`
	ExpiresIn    int    `json:"expires_in" doc:"Seconds until the access token expires."`
	CSRFToken    string `json:"csrf_token" doc:"For cookie sessions: the X-CSRF-Token header value."`
}

func (m *Module) respondSession(c *echo.Context, s *Session, status int) error {
	m.setSessionCookies(c, s)
	return c.JSON(status, TokenResponse{
		AccessToken: s.AccessToken, RefreshToken: s.RefreshToken, TokenType: "bearer",
		ExpiresIn: int(time.Until(s.ExpiresAt).Round(time.Second).Seconds()), CSRFToken: s.CSRFToken,
	})
}

// LoginRequest signs in with an email and password.
type LoginRequest struct {
	Email    string `json:"email" validate:"required,max=320"`
	Password string `json:"password" validate:"required,max=1024"`
}

// RefreshRequest exchanges a refresh token; browsers may send the cookie
// instead (with the X-CSRF-Token header).
type RefreshRequest struct {
	RefreshToken string `json:"refresh_token,omitempty"`
}

// LogoutRequest ends the session, or every session of the user.
type LogoutRequest struct {
	RefreshToken string `json:"refresh_token,omitempty" doc:"For API clients without an access token."`
	Everywhere   bool   `json:"everywhere,omitempty" doc:"End every session of the user, on every device."`
}

// SetupStatus says whether first-run setup is needed.
type SetupStatus struct {
	Needed bool `json:"needed" doc:"true while no account exists: POST /api/auth/setup creates the first platform admin."`
}

// SetupRequest creates the first platform admin.
type SetupRequest struct {
	Email    string `json:"email" validate:"required,max=320"`
	Password string `json:"password" validate:"required"`
	Name     string `json:"name,omitempty" validate:"max=200"`
}

// EmailRequest names an email address.
type EmailRequest struct {
	Email string `json:"email" validate:"required,max=320"`
}

// AcceptedResponse acknowledges a request whose outcome arrives by email.
type AcceptedResponse struct {
	Message string `json:"message"`
}

// ResetPasswordRequest sets a new password with an emailed token.
type ResetPasswordRequest struct {
	Token    string `json:"token" validate:"required,max=200"`
	Password string `json:"password" validate:"required"`
}

// ChangePasswordRequest replaces the signed-in user's password.
type ChangePasswordRequest struct {
	CurrentPassword string `json:"current_password" doc:"Not needed when the account has no password yet."`
	NewPassword     string `json:"new_password" validate:"required"`
}

// RegisterRequest registers with an email in an organization's domain.
type RegisterRequest struct {
	Email    string `json:"email" validate:"required,max=320"`
	Password string `json:"password" validate:"required"`
	Name     string `json:"name,omitempty" validate:"max=200"`
}

// TokenRequest carries an emailed token.
type TokenRequest struct {
	Token string `json:"token" validate:"required,max=200"`
}

// InvitationRequest looks up an invitation.
type InvitationRequest struct {
	Token string `query:"token" validate:"required,max=200"`
}

// AcceptInvitationRequest sets the invited user's password.
type AcceptInvitationRequest struct {
	Token    string `json:"token" validate:"required,max=200"`
	Password string `json:"password" validate:"required"`
	Name     string `json:"name,omitempty" validate:"max=200"`
}

// OrganizationRef names an organization.
type OrganizationRef struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
	Slug string    `json:"slug"`
}

// MeResponse is the signed-in user.
type MeResponse struct {
	ID           uuid.UUID        `json:"id"`
	Email        string           `json:"email"`
	Name         string           `json:"name"`
	IsSuperuser  bool             `json:"is_superuser" doc:"A platform admin: every permission in every organization."`
	IsVerified   bool             `json:"is_verified"`
	Organization *OrganizationRef `json:"organization" doc:"The user's organization; null for platform admins."`
	Roles        []orgs.RoleRef   `json:"roles"`
	Permissions  []string         `json:"permissions" doc:"What the user may do in their organization (all permissions for platform admins)."`
	AuthMethod   string           `json:"auth_method" enum:"bearer,cookie"`
}

func (m *Module) authRoutes(api *httpx.API) {
	tag := []string{"auth"}
	api.Add(httpx.Route{Method: http.MethodPost, Path: "/api/auth/login", OperationID: "login", Tags: tag, Public: true,
		Summary: "Sign in with an email and password",
		Description: "Returns tokens for API clients and sets HttpOnly session cookies for browsers. Failures do not tell whether the account exists. " +
			"Attempts are limited per account and per client address; beyond the limit the answer is 429 with Retry-After.",
		Input: LoginRequest{}, Output: TokenResponse{}, Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests},
		Handler: func(c *echo.Context) error {
			var in LoginRequest
			if err := httpx.Bind(c, &in); err != nil {
				return err
			}
			s, err := m.Login(c.Request().Context(), in.Email, in.Password)
			if err != nil {
				return err
			}
			return m.respondSession(c, s, http.StatusOK)
		}})
	api.Add(httpx.Route{Method: http.MethodPost, Path: "/api/auth/refresh", OperationID: "refreshSession", Tags: tag, Public: true,
		Summary:     "Exchange a refresh token for new tokens",
		Description: "Rotates the refresh token. Presenting a refresh token that was already used ends its whole session.",
		Input:       RefreshRequest{}, OptionalBody: true, Output: TokenResponse{}, Errors: []int{http.StatusUnauthorized},
		Handler: func(c *echo.Context) error {
			var in RefreshRequest
			if c.Request().ContentLength != 0 {
				if err := httpx.Bind(c, &in); err != nil {
					return err
				}
			}
			ctx := c.Request().Context()
			token := in.RefreshToken
			if token == "" {
				ck, err := c.Request().Cookie(CookieRefresh)
				if err != nil || ck.Value == "" {
					return errRefreshInvalid
				}
				token = ck.Value
				// A cookie-borne refresh is a browser session: it needs the CSRF token too.
				_, family, ok := m.sessions.familyOf(ctx, token)
				if ok && !hmac.Equal([]byte(c.Request().Header.Get(HeaderCSRF)), []byte(m.csrfToken(family))) {
					return errCSRF
				}
			}
			s, err := m.Refresh(ctx, token)
			if err != nil {
				if errs.KindOf(err) == errs.KindUnauthenticated {
					m.clearSessionCookies(c)
				}
				return err
			}
			return m.respondSession(c, s, http.StatusOK)
		}})
	api.Add(httpx.Route{Method: http.MethodPost, Path: "/api/auth/logout", OperationID: "logout", Tags: tag, Public: true, OptionalAuth: true,
		Summary: "End the session (or every session with everywhere=true)",
		Input:   LogoutRequest{}, OptionalBody: true,
		Handler: func(c *echo.Context) error {
			var in LogoutRequest
			if c.Request().ContentLength != 0 {
				if err := httpx.Bind(c, &in); err != nil {
					return err
				}
			}
			token := in.RefreshToken
			if ck, err := c.Request().Cookie(CookieRefresh); token == "" && err == nil {
				token = ck.Value
			}
			err := m.Logout(c.Request().Context(), httpx.PrincipalFrom(c.Request().Context()), token, in.Everywhere)
			m.clearSessionCookies(c)
			if err != nil {
				return err
			}
			return c.NoContent(http.StatusNoContent)
		}})
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/auth/me", OperationID: "getMe", Tags: tag, Summary: "The signed-in user"},
		m.me)
	httpx.Handle(api, httpx.Route{Method: http.MethodPost, Path: "/api/auth/change-password", OperationID: "changePassword", Tags: tag,
		Summary: "Change the signed-in user's password", Description: "Ends the user's other sessions."},
		func(c *echo.Context, in *ChangePasswordRequest) (*httpx.Empty, error) {
			ctx := c.Request().Context()
			return nil, m.ChangePassword(ctx, httpx.PrincipalFrom(ctx), in.CurrentPassword, in.NewPassword)
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodPost, Path: "/api/auth/forgot-password", OperationID: "forgotPassword", Tags: tag, Public: true,
		Summary: "Email a password reset link", Description: "The answer is the same whether or not the account exists.",
		Status: http.StatusAccepted, Errors: []int{http.StatusTooManyRequests}},
		func(c *echo.Context, in *EmailRequest) (*AcceptedResponse, error) {
			if err := m.ForgotPassword(c.Request().Context(), in.Email); err != nil {
				return nil, err
			}
			return &AcceptedResponse{Message: "If an account uses this email, a reset link is on its way."}, nil
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodPost, Path: "/api/auth/reset-password", OperationID: "resetPassword", Tags: tag, Public: true,
		Summary: "Set a new password with an emailed link", Description: "The link works once. Every session of the account ends."},
		func(c *echo.Context, in *ResetPasswordRequest) (*httpx.Empty, error) {
			return nil, m.ResetPassword(c.Request().Context(), in.Token, in.Password)
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/auth/setup", OperationID: "getSetupStatus", Tags: tag, Public: true,
		Summary: "Whether first-run setup is needed"},
		func(c *echo.Context, _ *httpx.Empty) (*SetupStatus, error) {
			needed, err := m.SetupNeeded(c.Request().Context())
			return &SetupStatus{Needed: needed}, err
		})
	api.Add(httpx.Route{Method: http.MethodPost, Path: "/api/auth/setup", OperationID: "setup", Tags: tag, Public: true,
		Summary: "Create the first platform admin", Description: "Works only while no account exists; then signs the admin in.",
		Input: SetupRequest{}, Output: TokenResponse{}, Status: http.StatusCreated, Errors: []int{http.StatusConflict},
		Handler: func(c *echo.Context) error {
			var in SetupRequest
			if err := httpx.Bind(c, &in); err != nil {
				return err
			}
			s, err := m.Setup(c.Request().Context(), in.Email, in.Password, in.Name)
			if err != nil {
				return err
			}
			return m.respondSession(c, s, http.StatusCreated)
		}})
	httpx.Handle(api, httpx.Route{Method: http.MethodPost, Path: "/api/auth/register", OperationID: "register", Tags: tag, Public: true,
		Summary: "Register with an email in an organization's domain",
		Description: "Only when auth.registration is email_domain. The answer is the same for every email; the email tells the rest " +
			"(a verification link, or why registration is not possible).",
		Status: http.StatusAccepted, Errors: []int{http.StatusForbidden, http.StatusTooManyRequests}},
		func(c *echo.Context, in *RegisterRequest) (*AcceptedResponse, error) {
			if err := m.Register(c.Request().Context(), in.Email, in.Password, in.Name); err != nil {
				return nil, err
			}
			return &AcceptedResponse{Message: "Check your email to finish registering."}, nil
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodPost, Path: "/api/auth/verify-email", OperationID: "verifyEmail", Tags: tag, Public: true,
		Summary: "Confirm an email address with an emailed link"},
		func(c *echo.Context, in *TokenRequest) (*httpx.Empty, error) {
			return nil, m.VerifyEmail(c.Request().Context(), in.Token)
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodPost, Path: "/api/auth/verify-email/resend", OperationID: "resendVerification", Tags: tag, Public: true,
		Summary: "Send a new verification link", Status: http.StatusAccepted, Errors: []int{http.StatusTooManyRequests}},
		func(c *echo.Context, in *EmailRequest) (*AcceptedResponse, error) {
			if err := m.ResendVerification(c.Request().Context(), in.Email); err != nil {
				return nil, err
			}
			return &AcceptedResponse{Message: "If this email waits for confirmation, a new link is on its way."}, nil
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/auth/invitation", OperationID: "getInvitation", Tags: tag, Public: true,
		Summary: "Describe a pending invitation", Errors: []int{http.StatusUnprocessableEntity}},
		func(c *echo.Context, in *InvitationRequest) (*InvitationInfo, error) {
			return m.Invitation(c.Request().Context(), in.Token)
		})
	api.Add(httpx.Route{Method: http.MethodPost, Path: "/api/auth/accept-invitation", OperationID: "acceptInvitation", Tags: tag, Public: true,
		Summary: "Accept an invitation: set a password and sign in",
		Input:   AcceptInvitationRequest{}, Output: TokenResponse{},
		Handler: func(c *echo.Context) error {
			var in AcceptInvitationRequest
			if err := httpx.Bind(c, &in); err != nil {
				return err
			}
			s, err := m.AcceptInvitation(c.Request().Context(), in.Token, in.Password, in.Name)
			if err != nil {
				return err
			}
			return m.respondSession(c, s, http.StatusOK)
		}})
	m.oauthRoutes(api)
}

func (m *Module) me(c *echo.Context, _ *httpx.Empty) (*MeResponse, error) {
	ctx := c.Request().Context()
	p := httpx.PrincipalFrom(ctx)
	u, err := m.store.userByID(ctx, m.store.db, p.UserID)
	if err != nil {
		return nil, err
	}
	out := &MeResponse{ID: u.ID, Email: u.Email, Name: u.DisplayName, IsSuperuser: u.IsSuperuser, IsVerified: u.IsVerified,
		Roles: []orgs.RoleRef{}, Permissions: []string{}, AuthMethod: p.Method}
	if u.IsSuperuser {
		for _, perm := range orgs.Permissions {
			out.Permissions = append(out.Permissions, perm.Name)
		}
		return out, nil
	}
	if u.OrganizationID != nil {
		org, err := m.orgs.Organization(ctx, *u.OrganizationID)
		if err != nil {
			return nil, err
		}
		out.Organization = &OrganizationRef{ID: org.ID, Name: org.Name, Slug: org.Slug}
	}
	if out.Roles, err = m.orgs.RolesOf(ctx, u.ID); err != nil {
		return nil, err
	}
	perms, err := m.orgs.PermissionsOf(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	for _, perm := range orgs.Permissions {
		if perms[perm.Name] {
			out.Permissions = append(out.Permissions, perm.Name)
		}
	}
	return out, nil
}
