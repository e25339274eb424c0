package integrations

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v5"

	"github.com/bifrost-automation/bifrost/platform/errs"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// ListResponse lists integrations.
type ListResponse struct {
	Items []Integration `json:"items"`
}

// CreateRequest adds an integration.
type CreateRequest struct {
	Name             string            `json:"name" validate:"required,max=100" doc:"Letters, digits, dashes and underscores; what workflows pass to oauth.get()."`
	Description      string            `json:"description,omitempty" validate:"max=1000"`
	Flow             string            `json:"flow" validate:"required,oneof=authorization_code client_credentials refresh_token" enum:"authorization_code,client_credentials,refresh_token"`
	ClientID         string            `json:"client_id" validate:"required,max=500"`
	ClientSecret     string            `json:"client_secret,omitempty" validate:"max=4000" doc:"Stored encrypted; never returned."`
	AuthorizationURL string            `json:"authorization_url,omitempty" validate:"max=2000" doc:"Required for authorization_code."`
	TokenURL         string            `json:"token_url" validate:"required,max=2000"`
	Scopes           []string          `json:"scopes,omitempty" validate:"max=100,dive,max=500"`
	Params           map[string]string `json:"params,omitempty" validate:"max=20" doc:"Extra parameters for the provider: sent with the authorization request, and with client-credentials token requests."`
	UsePKCE          *bool             `json:"use_pkce,omitempty" doc:"Use PKCE (S256) in the authorization code flow; on by default."`
	TestURL          string            `json:"test_url,omitempty" validate:"max=2000" doc:"A URL that \"Test\" calls with the token."`
	RefreshToken     string            `json:"refresh_token,omitempty" validate:"max=8000" doc:"For the refresh_token flow: the refresh token to start from. Stored encrypted."`
}

// UpdateRequest changes an integration; absent fields stay. Changing the
// flow, client, URLs, scopes or secret disconnects it.
type UpdateRequest struct {
	ID               string            `param:"id"`
	Name             *string           `json:"name,omitempty" validate:"omitempty,max=100"`
	Description      *string           `json:"description,omitempty" validate:"omitempty,max=1000"`
	Flow             *string           `json:"flow,omitempty" validate:"omitempty,oneof=authorization_code client_credentials refresh_token" enum:"authorization_code,client_credentials,refresh_token"`
	ClientID         *string           `json:"client_id,omitempty" validate:"omitempty,max=500"`
	ClientSecret     *string           `json:"client_secret,omitempty" validate:"omitempty,max=4000" doc:"A new secret; an empty string removes it; absent keeps it."`
	AuthorizationURL *string           `json:"authorization_url,omitempty" validate:"omitempty,max=2000"`
	TokenURL         *string           `json:"token_url,omitempty" validate:"omitempty,max=2000"`
	Scopes           []string          `json:"scopes,omitempty" validate:"omitempty,max=100,dive,max=500"`
	Params           map[string]string `json:"params,omitempty" validate:"omitempty,max=20"`
	UsePKCE          *bool             `json:"use_pkce,omitempty"`
	TestURL          *string           `json:"test_url,omitempty" validate:"omitempty,max=2000"`
	RefreshToken     *string           `json:"refresh_token,omitempty" validate:"omitempty,max=8000"`
}

// IDRequest names an integration.
type IDRequest struct {
	ID string `param:"id"`
}

// CallbackRequest is what the provider sends the browser back with.
type CallbackRequest struct {
	State            string `query:"state" doc:"The signed state from the authorization request."`
	Code             string `query:"code"`
	Error            string `query:"error"`
	ErrorDescription string `query:"error_description"`
}

func integrationID(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, errNotFound
	}
	return id, nil
}

func (m *Module) routes(api *httpx.API) {
	tag := []string{"integrations"}
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/integrations", OperationID: "listIntegrations", Tags: tag,
		Summary:     "List integrations",
		Description: "The integrations of the request's scope; from an organization, the global ones it does not shadow are included with inherited=true.",
		Permission:  PermissionManage},
		func(c *echo.Context, _ *httpx.Empty) (*ListResponse, error) {
			items, err := m.List(c.Request().Context())
			return &ListResponse{Items: items}, err
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodPost, Path: "/api/integrations", OperationID: "createIntegration", Tags: tag,
		Summary:     "Add an integration",
		Description: "In the request's organization, or global for platform admins without X-Organization-Id. Client-credentials and refresh-token integrations fetch their first token at once; their status says whether it worked.",
		Permission:  PermissionManage, Status: http.StatusCreated, Errors: []int{http.StatusConflict}},
		func(c *echo.Context, in *CreateRequest) (*Integration, error) {
			return m.Create(c.Request().Context(), Input{Name: &in.Name, Description: &in.Description, Flow: &in.Flow, ClientID: &in.ClientID,
				ClientSecret: &in.ClientSecret, AuthorizationURL: &in.AuthorizationURL, TokenURL: &in.TokenURL, Scopes: nonNil(in.Scopes),
				Params: in.Params, UsePKCE: in.UsePKCE, TestURL: &in.TestURL, RefreshToken: &in.RefreshToken})
		})
	api.Add(httpx.Route{Method: http.MethodGet, Path: "/api/integrations/callback", OperationID: "integrationCallback", Tags: tag,
		Public: true, Summary: "Where the provider sends the browser back",
		Description: "Checks and consumes the state, exchanges the code and stores the tokens. A browser (Accept: text/html) is redirected to " +
			"/integrations/callback?integration=<id>&status=completed, or ?error=<code>&message=<text>; other clients get the integration " +
			"or a problem document.",
		Input: CallbackRequest{}, Output: Integration{}, Errors: []int{http.StatusBadRequest, http.StatusBadGateway},
		Handler: m.callback})
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/integrations/:id", OperationID: "getIntegration", Tags: tag,
		Summary: "Get an integration", Permission: PermissionManage},
		func(c *echo.Context, in *IDRequest) (*Integration, error) {
			id, err := integrationID(in.ID)
			if err != nil {
				return nil, err
			}
			return m.Get(c.Request().Context(), id)
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodPut, Path: "/api/integrations/:id", OperationID: "updateIntegration", Tags: tag,
		Summary: "Change an integration", Description: "Changing the flow, client, URLs, scopes or secret drops its tokens: connect it again.",
		Permission: PermissionManage, Errors: []int{http.StatusConflict}},
		func(c *echo.Context, in *UpdateRequest) (*Integration, error) {
			id, err := integrationID(in.ID)
			if err != nil {
				return nil, err
			}
			return m.Update(c.Request().Context(), id, Input{Name: in.Name, Description: in.Description, Flow: in.Flow, ClientID: in.ClientID,
				ClientSecret: in.ClientSecret, AuthorizationURL: in.AuthorizationURL, TokenURL: in.TokenURL, Scopes: in.Scopes,
				Params: in.Params, UsePKCE: in.UsePKCE, TestURL: in.TestURL, RefreshToken: in.RefreshToken})
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodDelete, Path: "/api/integrations/:id", OperationID: "deleteIntegration", Tags: tag,
		Summary: "Delete an integration and its tokens", Permission: PermissionManage},
		func(c *echo.Context, in *IDRequest) (*httpx.Empty, error) {
			id, err := integrationID(in.ID)
			if err != nil {
				return nil, err
			}
			return nil, m.Delete(c.Request().Context(), id)
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodPost, Path: "/api/integrations/:id/authorize", OperationID: "authorizeIntegration", Tags: tag,
		Summary:     "Start connecting an authorization_code integration",
		Description: "Returns the provider URL to open. Its state is signed, works once and expires in ten minutes; the integration waits for the callback.",
		Permission:  PermissionManage, Errors: []int{http.StatusConflict}},
		func(c *echo.Context, in *IDRequest) (*Authorization, error) {
			id, err := integrationID(in.ID)
			if err != nil {
				return nil, err
			}
			return m.Authorize(c.Request().Context(), id)
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodPost, Path: "/api/integrations/:id/refresh", OperationID: "refreshIntegration", Tags: tag,
		Summary:     "Get a new token now",
		Description: "Uses the refresh token or the client credentials. A provider failure is 502 and marks the integration failed with the reason.",
		Permission:  PermissionManage, Errors: []int{http.StatusConflict, http.StatusBadGateway}},
		func(c *echo.Context, in *IDRequest) (*Integration, error) {
			id, err := integrationID(in.ID)
			if err != nil {
				return nil, err
			}
			return m.Refresh(c.Request().Context(), id)
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodPost, Path: "/api/integrations/:id/test", OperationID: "testIntegration", Tags: tag,
		Summary:     "Test an integration",
		Description: "Gets a fresh token (refreshing it if needed) and, when the integration has a test URL, calls it with the token.",
		Permission:  PermissionManage},
		func(c *echo.Context, in *IDRequest) (*TestResult, error) {
			id, err := integrationID(in.ID)
			if err != nil {
				return nil, err
			}
			return m.Test(c.Request().Context(), id)
		})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// wantsHTML reports whether a browser made the request.
func wantsHTML(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

// callback finishes connecting; see the route's description.
func (m *Module) callback(c *echo.Context) error {
	in := new(CallbackRequest)
	if err := httpx.Bind(c, in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	p, err := m.Callback(ctx, in.State, in.Code, in.Error, in.ErrorDescription)
	if wantsHTML(c.Request()) {
		q := url.Values{}
		if p != nil {
			q.Set("integration", p.ID.String())
		}
		if err != nil {
			e, ok := errs.As(err)
			if !ok {
				m.log.Error("integrations: callback", "error", err)
				e = errs.Internal(err)
			}
			q.Set("error", e.Code)
			q.Set("message", e.Message)
		} else {
			q.Set("status", p.Status)
		}
		return c.Redirect(http.StatusSeeOther, "/integrations/callback?"+q.Encode())
	}
	if err != nil {
		return err
	}
	t, _, err := m.getToken(ctx, m.db, p.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m.toIntegration(p, t, nil))
}
