package secrets

import (
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v5"

	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// ListResponse lists secrets.
type ListResponse struct {
	Items []Secret `json:"items"`
}

// CreateRequest stores a secret.
type CreateRequest struct {
	Name        string `json:"name" validate:"required,max=128" doc:"Letters, digits, dots, dashes and underscores; what workflows pass to secrets.get()."`
	Value       string `json:"value" validate:"required" doc:"Stored encrypted; never returned by the API."`
	Description string `json:"description,omitempty" validate:"max=1000"`
}

// UpdateRequest replaces a secret's value or description.
type UpdateRequest struct {
	ID          string  `param:"id"`
	Value       *string `json:"value,omitempty" doc:"The new value; absent keeps the old one."`
	Description *string `json:"description,omitempty" validate:"omitempty,max=1000"`
}

// IDRequest names a secret.
type IDRequest struct {
	ID string `param:"id"`
}

func secretID(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, errNotFound
	}
	return id, nil
}

func (m *Module) routes(api *httpx.API) {
	tag := []string{"secrets"}
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/secrets", OperationID: "listSecrets", Tags: tag,
		Summary:     "List secrets (names and dates, never values)",
		Description: "The secrets of the request's scope; from an organization, the global ones it does not shadow are included with inherited=true.",
		Permission:  PermissionManage},
		func(c *echo.Context, _ *httpx.Empty) (*ListResponse, error) {
			items, err := m.List(c.Request().Context())
			return &ListResponse{Items: items}, err
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodPost, Path: "/api/secrets", OperationID: "createSecret", Tags: tag,
		Summary: "Store a secret", Description: "In the request's organization, or global for platform admins without X-Organization-Id.",
		Permission: PermissionManage, Status: http.StatusCreated, Errors: []int{http.StatusConflict}},
		func(c *echo.Context, in *CreateRequest) (*Secret, error) {
			return m.Create(c.Request().Context(), in.Name, in.Value, in.Description)
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/secrets/:id", OperationID: "getSecret", Tags: tag,
		Summary: "Get a secret's details (not its value)", Permission: PermissionManage},
		func(c *echo.Context, in *IDRequest) (*Secret, error) {
			id, err := secretID(in.ID)
			if err != nil {
				return nil, err
			}
			ctx := c.Request().Context()
			s, err := m.visible(ctx, m.db, id, false)
			if err != nil {
				return nil, err
			}
			out := toSecret(s, httpx.ScopeFrom(ctx).OrganizationID)
			return &out, nil
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodPut, Path: "/api/secrets/:id", OperationID: "updateSecret", Tags: tag,
		Summary: "Replace a secret's value or description", Permission: PermissionManage},
		func(c *echo.Context, in *UpdateRequest) (*Secret, error) {
			id, err := secretID(in.ID)
			if err != nil {
				return nil, err
			}
			return m.Update(c.Request().Context(), id, in.Value, in.Description)
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodDelete, Path: "/api/secrets/:id", OperationID: "deleteSecret", Tags: tag,
		Summary: "Delete a secret", Description: "Refused with 409 while a configuration entry of type secret_ref names it.",
		Permission: PermissionManage, Errors: []int{http.StatusConflict}},
		func(c *echo.Context, in *IDRequest) (*httpx.Empty, error) {
			id, err := secretID(in.ID)
			if err != nil {
				return nil, err
			}
			return nil, m.Delete(c.Request().Context(), id)
		})
}
