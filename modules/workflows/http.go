package workflows

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/bifrost-automation/bifrost/platform/errs"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// ListRequest filters the workflows.
type ListRequest struct {
	Query    string `query:"q" doc:"Only workflows whose name, description, category or tags contain this (case-insensitive)."`
	Category string `query:"category" doc:"Only this category."`
}

// ListResponse lists workflows, with what failed to load.
type ListResponse struct {
	Items      []Definition `json:"items"`
	Categories []string     `json:"categories" doc:"Every category, for a filter."`
	Errors     []LoadError  `json:"errors" doc:"Workspace files that did not load (tracebacks for platform admins only)."`
	ScannedAt  *time.Time   `json:"scanned_at" doc:"When a worker last scanned the workspace; null before the first scan."`
}

// DataProvidersRequest filters the data providers.
type DataProvidersRequest struct {
	Query    string `query:"q" doc:"Only data providers whose name, description or category contain this (case-insensitive)."`
	Category string `query:"category" doc:"Only this category."`
}

// DataProvidersResponse lists data providers.
type DataProvidersResponse struct {
	Items      []Definition `json:"items"`
	Categories []string     `json:"categories" doc:"Every category of data providers, for a filter."`
}

// NameRequest names a workflow.
type NameRequest struct {
	Name string `param:"name"`
}

// AcceptedResponse acknowledges a request handled in the background.
type AcceptedResponse struct {
	Message string `json:"message"`
}

var (
	errNotFound         = errs.NotFound("workflows.not_found", "There is no workflow with this name.")
	errProviderNotFound = errs.NotFound("workflows.data_provider_not_found", "There is no data provider with this name.")
)

func (m *Module) routes(api *httpx.API) {
	tag := []string{"workflows"}
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/workflows", OperationID: "listWorkflows", Tags: tag,
		Summary:     "List the workflows",
		Description: "What the workers found in the workspace: each workflow's metadata and the JSON Schema of its parameters, and the files that failed to load.",
		Permission:  PermissionRun},
		func(c *echo.Context, in *ListRequest) (*ListResponse, error) {
			ctx := c.Request().Context()
			items, err := m.store.list(ctx, listFilter{Kind: KindWorkflow, Query: in.Query, Category: in.Category})
			if err != nil {
				return nil, err
			}
			cats, err := m.store.categories(ctx, KindWorkflow)
			if err != nil {
				return nil, err
			}
			out := &ListResponse{Items: items, Categories: nonNilStrings(cats), Errors: []LoadError{}}
			scan, found, err := m.store.scan(ctx)
			if err != nil {
				return nil, err
			}
			if found {
				out.ScannedAt = &scan.ScannedAt
				out.Errors = visibleErrors(c, scan.Errors)
			}
			return out, nil
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/workflows/:name", OperationID: "getWorkflow", Tags: tag,
		Summary: "Get a workflow", Permission: PermissionRun},
		func(c *echo.Context, in *NameRequest) (*Definition, error) {
			return m.store.get(c.Request().Context(), KindWorkflow, in.Name)
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodPost, Path: "/api/workflows/refresh", OperationID: "refreshWorkflows", Tags: tag,
		Summary:     "Scan the workspace again",
		Description: "Asks every worker to re-import the workspace now (workers also notice changed files by themselves within workflows.watch_interval).",
		AdminOnly:   true, Status: http.StatusAccepted},
		func(c *echo.Context, _ *httpx.Empty) (*AcceptedResponse, error) {
			if m.cache == nil {
				return nil, errs.Unavailable("workflows.refresh_unavailable", "Refreshing is not available.")
			}
			if err := m.cache.Publish(c.Request().Context(), refreshChannel, "refresh"); err != nil {
				return nil, err
			}
			return &AcceptedResponse{Message: "The workers are scanning the workspace again."}, nil
		})
	httpx.Handle(api, httpx.Route{Method: http.MethodGet, Path: "/api/data-providers", OperationID: "listDataProviders", Tags: tag,
		Summary: "List the data providers", Description: "Functions that fill form fields with options.", Permission: PermissionRun},
		func(c *echo.Context, in *DataProvidersRequest) (*DataProvidersResponse, error) {
			ctx := c.Request().Context()
			items, err := m.store.list(ctx, listFilter{Kind: KindDataProvider, Query: in.Query, Category: in.Category})
			if err != nil {
				return nil, err
			}
			cats, err := m.store.categories(ctx, KindDataProvider)
			return &DataProvidersResponse{Items: items, Categories: nonNilStrings(cats)}, err
		})
}

// visibleErrors hides tracebacks from all but platform admins.
func visibleErrors(c *echo.Context, in []LoadError) []LoadError {
	p := httpx.PrincipalFrom(c.Request().Context())
	out := make([]LoadError, len(in))
	copy(out, in)
	if p == nil || !p.IsSuperuser {
		for i := range out {
			out[i].Traceback = ""
		}
	}
	return out
}
