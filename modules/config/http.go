package config

import (
	"encoding/json"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v5"

	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// ListResponse lists configuration entries.
type ListResponse struct {
	Items []Entry `json:"items"`
}

// ListRequest filters the list.
type ListRequest struct {
	Prefix string `query:"prefix" doc:"Only keys that start with this."`
}

// SetRequest creates or replaces an entry.
type SetRequest struct {
	Key         string          `json:"key" validate:"required,max=255" doc:"Letters, digits and underscores."`
	Value       json.RawMessage `json:"value" validate:"required" doc:"A JSON value matching type: a string, an integer, true/false, any JSON, or a secret's name."`
	Type        string          `json:"type" validate:"required,oneof=string int bool json secret_ref" enum:"string,int,bool,json,secret_ref"`
	Description *string         `json:"description,omitempty" validate:"omitempty,max=1000"`
}

// UpdateRequest changes an entry.
type UpdateRequest struct {
	ID          string          `param:"id"`
	Value       json.RawMessage `json:"value,omitempty" doc:"The new value; absent keeps the current one (to change only the description)."`
	Type        string          `json:"type,omitempty" validate:"omitempty,oneof=string int bool json secret_ref" enum:"string,int,bool,json,secret_ref"`
	Description *string         `json:"description,omitempty" validate:"omitempty,max=1000"`
}

// IDRequest names an entry.
type IDRequest struct {
	ID string `param:"id"`
}

func entryID(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, errNotFound
	}
	return id, nil
}

func (m *Module) routes(api *httpx.API) {
	tag := []string{"config"}
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/config", OperationID: "listConfig", Tags: tag,
		Summary:     "List configuration entries",
		Description: "The entries of the request's scope. From an organization, global entries it does not override are included with inherited=true.",
		Permission:  PermissionManage},
		func(c *echo.Context, in *ListRequest) (*ListResponse, error) {
			items, err := m.List(c.Request().Context(), in.Prefix)
			return &ListResponse{Items: items}, err
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodPost, Path: "/api/config", OperationID: "setConfig", Tags: tag,
		Summary:     "Set a configuration entry",
		Description: "Creates the key in the request's scope, or replaces its value there. A secret_ref names a secret readable in the scope.",
		Permission:  PermissionManage},
		func(c *echo.Context, in *SetRequest) (*Entry, error) {
			e, _, err := m.Set(c.Request().Context(), SetInput{Key: in.Key, Value: in.Value, Type: in.Type, Description: in.Description})
			return e, err
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/config/:id", OperationID: "getConfig", Tags: tag,
		Summary: "Get a configuration entry", Permission: PermissionManage},
		func(c *echo.Context, in *IDRequest) (*Entry, error) {
			id, err := entryID(in.ID)
			if err != nil {
				return nil, err
			}
			ctx := c.Request().Context()
			e, err := m.visible(ctx, id, false)
			if err != nil {
				return nil, err
			}
			out := toEntry(e, httpx.ScopeFrom(ctx).OrganizationID)
			return &out, nil
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodPut, Path: "/api/config/:id", OperationID: "updateConfig", Tags: tag,
		Summary: "Change a configuration entry", Permission: PermissionManage},
		func(c *echo.Context, in *UpdateRequest) (*Entry, error) {
			id, err := entryID(in.ID)
			if err != nil {
				return nil, err
			}
			return m.Update(c.Request().Context(), id, in.Value, in.Type, in.Description)
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodDelete, Path: "/api/config/:id", OperationID: "deleteConfig", Tags: tag,
		Summary: "Delete a configuration entry", Permission: PermissionManage},
		func(c *echo.Context, in *IDRequest) (*httpx.Empty, error) {
			id, err := entryID(in.ID)
			if err != nil {
				return nil, err
			}
			return nil, m.Delete(c.Request().Context(), id)
		})
}
