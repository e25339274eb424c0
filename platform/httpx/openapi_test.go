package httpx

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"
	"github.com/labstack/echo/v5"
	"github.com/stretchr/testify/require"
)

type status string

func (status) EnumValues() []string { return []string{"Pending", "Running", "Success"} }

type page[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor" doc:"Pass as ?cursor= for the next page; null at the end."`
}

type execution struct {
	ID        uuid.UUID         `json:"id"`
	Status    status            `json:"status"`
	Result    json.RawMessage   `json:"result,omitempty"`
	Parent    *execution        `json:"parent,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
	Tags      map[string]string `json:"tags"`
	Internal  string            `json:"-"`
}

type listExecutionsInput struct {
	Status string `query:"status" enum:"Pending,Running" doc:"Only runs in this status."`
	Limit  int    `query:"limit" validate:"omitempty,gte=1,lte=100"`
}

func TestSchemasFromGoTypes(t *testing.T) {
	e := echo.New()
	api := newAPI(e, DocInfo{Title: "t", Version: "1"})
	Handle(api, Route{Method: http.MethodGet, Path: "/api/executions", Public: true},
		func(c *echo.Context, in *listExecutionsInput) (*page[execution], error) { return nil, nil })
	raw, err := api.DocumentJSON()
	require.NoError(t, err)
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))

	op := doc.Paths.Value("/api/executions").Get
	require.Equal(t, "getExecutions", op.OperationID)
	require.Equal(t, []string{"executions"}, op.Tags)
	require.Nil(t, op.RequestBody, "query-only input has no body")
	require.Len(t, op.Parameters, 2)
	st := op.Parameters.GetByInAndName("query", "status")
	require.Equal(t, "Only runs in this status.", st.Description)
	require.Equal(t, []any{"Pending", "Running"}, st.Schema.Value.Enum)

	require.Equal(t, "#/components/schemas/pageexecution", op.Responses.Value("200").Value.Content.Get("application/json").Schema.Ref,
		"a generic type is a component named after its type argument")
	pg := doc.Components.Schemas["pageexecution"]
	require.True(t, pg.Value.Properties["next_cursor"].Value.Nullable)
	require.Equal(t, []string{"items"}, pg.Value.Required)

	ex := doc.Components.Schemas["execution"].Value
	require.Equal(t, "uuid", ex.Properties["id"].Value.Format)
	require.Equal(t, "date-time", ex.Properties["created_at"].Value.Format)
	require.Equal(t, []any{"Pending", "Running", "Success"}, ex.Properties["status"].Value.Enum)
	require.Equal(t, "#/components/schemas/execution", ex.Properties["parent"].Value.AllOf[0].Ref, "a cycle is a reference")
	require.NotContains(t, ex.Properties, "Internal")
	require.NotContains(t, ex.Required, "result")
	require.NotNil(t, ex.Properties["tags"].Value.AdditionalProperties.Schema)
}
