package httpx_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v5"
	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/platform/config"
	"github.com/bifrost-automation/bifrost/platform/errs"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type createWidgetRequest struct {
	OrgID  string `param:"org" doc:"The organization."`
	DryRun bool   `query:"dry_run"`
	Name   string `json:"name" validate:"required,max=10" doc:"The widget's name."`
	Size   int    `json:"size" validate:"gte=1,lte=5"`
	Email  string `json:"email,omitempty" validate:"omitempty,email"`
}

type widget struct {
	ID     string    `json:"id"`
	Name   string    `json:"name"`
	Size   int       `json:"size"`
	Org    string    `json:"org"`
	DryRun bool      `json:"dry_run"`
	At     time.Time `json:"created_at"`
	Owner  *owner    `json:"owner,omitempty"`
}

type owner struct {
	Email string `json:"email"`
}

func newServer(t *testing.T, mutate func(*httpx.Options)) (*httpx.Server, http.Handler) {
	t.Helper()
	cfg := config.Default().HTTP
	cfg.BodyLimit = 1024
	opts := httpx.Options{
		Config: cfg, Logger: quiet, API: true, Version: "test",
		Roles: []string{"api"},
		Checks: []httpx.Check{
			{Name: "database", Ping: func(context.Context) error { return nil }},
			{Name: "broker", Ping: func(context.Context) error { return nil }},
			{Name: "redis", Ping: func(context.Context) error { return nil }},
		},
		Web: fstest.MapFS{
			"index.html":         {Data: []byte(`<!doctype html><title>Bifrost</title><script type="module" src="/assets/app-3f9a.js"></script>`)},
			"assets/app-3f9a.js": {Data: []byte(strings.Repeat("console.log('bifrost');", 100))},
			"favicon.svg":        {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
		},
	}
	if mutate != nil {
		mutate(&opts)
	}
	s := httpx.New(opts)
	api := s.API()
	httpx.Handle(api, httpx.Route{Method: http.MethodPost, Path: "/api/orgs/:org/widgets", Summary: "Create a widget", Tags: []string{"widgets"}, Status: http.StatusCreated, Public: true},
		func(c *echo.Context, in *createWidgetRequest) (*widget, error) {
			if in.Name == "taken" {
				return nil, errs.Conflict("widgets.name_taken", "A widget with this name exists.")
			}
			return &widget{ID: "w1", Name: in.Name, Size: in.Size, Org: in.OrgID, DryRun: in.DryRun}, nil
		})
	api.Add(httpx.Route{Method: http.MethodGet, Path: "/api/boom", Summary: "Panics", Public: true, Handler: func(c *echo.Context) error {
		panic(errors.New("database password is hunter2")) // internal text
	}})
	api.Add(httpx.Route{Method: http.MethodGet, Path: "/api/fails", Summary: "Fails", Public: true, Handler: func(c *echo.Context) error {
		return errors.New("pq: connection to 10.0.0.5 refused (internal detail)")
	}})
	return s, s.Handler()
}

func do(h http.Handler, method, path, body string, headers ...string) *httptest.ResponseRecorder {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func problem(t *testing.T, rec *httptest.ResponseRecorder) httpx.Problem {
	t.Helper()
	require.Equal(t, httpx.ProblemContentType, rec.Header().Get("Content-Type"), rec.Body.String())
	var p httpx.Problem
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
	require.Equal(t, rec.Code, p.Status)
	require.NotEmpty(t, p.RequestID)
	require.Equal(t, rec.Header().Get(httpx.HeaderRequestID), p.RequestID)
	return p
}

func TestErrorsAreProblemJSON(t *testing.T) {
	t.Parallel()
	_, h := newServer(t, nil)
	for _, tc := range []struct {
		name, method, path, body string
		headers                  []string
		status                   int
		code                     string
		detail                   string
		fields                   []string
	}{
		{name: "malformed JSON", method: "POST", path: "/api/orgs/o1/widgets", body: `{"name": "a",`, status: 400, code: "request.malformed_json"},
		{name: "syntax error", method: "POST", path: "/api/orgs/o1/widgets", body: `{"name": nope}`, status: 400, code: "request.malformed_json", detail: "at byte"},
		{name: "two JSON values", method: "POST", path: "/api/orgs/o1/widgets", body: `{"name":"a","size":1} {}`, status: 400, code: "request.malformed_json"},
		{name: "empty body", method: "POST", path: "/api/orgs/o1/widgets", status: 400, code: "request.empty_body"},
		{name: "not JSON", method: "POST", path: "/api/orgs/o1/widgets", body: `name=a`, headers: []string{"Content-Type", "application/x-www-form-urlencoded"}, status: 415, code: "request.unsupported_media_type"},
		{name: "wrong type", method: "POST", path: "/api/orgs/o1/widgets", body: `{"name":"a","size":"big"}`, status: 422, code: "request.invalid", fields: []string{"size"}},
		{name: "invalid fields", method: "POST", path: "/api/orgs/o1/widgets", body: `{"name":"","size":9,"email":"x"}`, status: 422, code: "request.invalid", fields: []string{"name", "size", "email"}},
		{name: "too large", method: "POST", path: "/api/orgs/o1/widgets", body: `{"name":"` + strings.Repeat("a", 2000) + `"}`, status: 413, code: "request.too_large"},
		{name: "domain conflict", method: "POST", path: "/api/orgs/o1/widgets", body: `{"name":"taken","size":1}`, status: 409, code: "widgets.name_taken", detail: "A widget with this name exists."},
		{name: "unknown api route", method: "GET", path: "/api/nothing/here", status: 404, code: "route.not_found"},
		{name: "unknown api route, POST", method: "POST", path: "/api/nothing", body: `{}`, status: 404, code: "route.not_found"},
		{name: "wrong method", method: "DELETE", path: "/api/orgs/o1/widgets", status: 405, code: "route.method_not_allowed"},
		{name: "panic", method: "GET", path: "/api/boom", status: 500, code: "internal", detail: "An internal error occurred."},
		{name: "unexpected error", method: "GET", path: "/api/fails", status: 500, code: "internal", detail: "An internal error occurred."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(h, tc.method, tc.path, tc.body, tc.headers...)
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			p := problem(t, rec)
			require.Equal(t, tc.code, p.Code)
			require.Equal(t, tc.path, p.Instance)
			if tc.status == 405 {
				require.Equal(t, "POST", rec.Header().Get("Allow"))
			}
			if tc.detail != "" {
				require.Contains(t, p.Detail, tc.detail)
			}
			var got []string
			for _, f := range p.Errors {
				got = append(got, f.Field)
				require.NotEmpty(t, f.Message)
			}
			require.ElementsMatch(t, tc.fields, got)
			for _, leak := range []string{"hunter2", "10.0.0.5", "panic", "goroutine", "pq:"} {
				require.NotContains(t, rec.Body.String(), leak, "internal text never reaches the client")
			}
		})
	}
}

func TestHandleBindsPathQueryAndBody(t *testing.T) {
	t.Parallel()
	_, h := newServer(t, nil)
	rec := do(h, "POST", "/api/orgs/acme/widgets?dry_run=true", `{"name":"gear","size":3}`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	var w widget
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &w))
	require.Equal(t, widget{ID: "w1", Name: "gear", Size: 3, Org: "acme", DryRun: true}, w)
	require.Equal(t, "no-store", rec.Header().Get("Cache-Control"), "API responses are not cached")
}

func TestRequestIDIsKeptWhenSaneAndReplacedOtherwise(t *testing.T) {
	t.Parallel()
	_, h := newServer(t, nil)
	rec := do(h, "GET", "/health", "", httpx.HeaderRequestID, "lb-1234.abc")
	require.Equal(t, "lb-1234.abc", rec.Header().Get(httpx.HeaderRequestID))
	rec = do(h, "GET", "/health", "", httpx.HeaderRequestID, "bad id\nwith newline")
	id := rec.Header().Get(httpx.HeaderRequestID)
	require.Len(t, id, 24)
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	_, h := newServer(t, nil)
	rec := do(h, "GET", "/", "")
	require.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
	require.Equal(t, "DENY", rec.Header().Get("X-Frame-Options"))
	require.Contains(t, rec.Header().Get("Content-Security-Policy"), "script-src 'self'")
	require.Contains(t, rec.Header().Get("Content-Security-Policy"), "frame-ancestors 'none'")
	require.Empty(t, rec.Header().Get("Strict-Transport-Security"), "no HSTS on a plain-HTTP install")

	_, hs := newServer(t, func(o *httpx.Options) { o.Config.PublicURL = "https://bifrost.example.com" })
	require.Contains(t, do(hs, "GET", "/", "").Header().Get("Strict-Transport-Security"), "max-age=31536000")
}

func TestCORSAllowsOnlyListedOrigins(t *testing.T) {
	t.Parallel()
	_, h := newServer(t, func(o *httpx.Options) { o.Config.CORSOrigins = []string{"https://app.example.com"} })
	rec := do(h, "OPTIONS", "/api/orgs/o/widgets", "", "Origin", "https://app.example.com", "Access-Control-Request-Method", "POST")
	require.Equal(t, "https://app.example.com", rec.Header().Get("Access-Control-Allow-Origin"))
	require.Equal(t, "true", rec.Header().Get("Access-Control-Allow-Credentials"))
	rec = do(h, "OPTIONS", "/api/orgs/o/widgets", "", "Origin", "https://evil.example.com", "Access-Control-Request-Method", "POST")
	require.Empty(t, rec.Header().Get("Access-Control-Allow-Origin"))

	_, none := newServer(t, nil)
	rec = do(none, "GET", "/health", "", "Origin", "https://app.example.com")
	require.Empty(t, rec.Header().Get("Access-Control-Allow-Origin"), "no CORS unless configured")
}

func TestReadyReportsEachComponent(t *testing.T) {
	t.Parallel()
	_, h := newServer(t, nil)
	rec := do(h, "GET", "/ready", "")
	require.Equal(t, http.StatusOK, rec.Code)
	var r httpx.ReadyResponse
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &r))
	require.Equal(t, "ok", r.Status)
	require.Len(t, r.Components, 3)

	_, down := newServer(t, func(o *httpx.Options) {
		o.Config.ReadyTimeout = config.Duration(50 * time.Millisecond)
		o.Checks[2].Ping = func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
		o.Checks[1].Ping = func(context.Context) error { return errors.New("dial tcp 10.1.2.3:5672: connection refused") }
	})
	start := time.Now()
	rec = do(down, "GET", "/ready", "")
	require.Less(t, time.Since(start), 2*time.Second, "checks have short timeouts")
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &r))
	require.Equal(t, "unavailable", r.Status)
	require.Equal(t, "ok", r.Components["database"].Status)
	require.Equal(t, httpx.ComponentStatus{Status: "unavailable", Error: "timeout", LatencyMS: r.Components["redis"].LatencyMS}, r.Components["redis"])
	require.Equal(t, "unreachable", r.Components["broker"].Error)
	require.NotContains(t, rec.Body.String(), "10.1.2.3")

	rec = do(down, "GET", "/health", "")
	require.Equal(t, http.StatusOK, rec.Code, "liveness does not depend on the dependencies")
}

func TestWebUIServing(t *testing.T) {
	t.Parallel()
	_, h := newServer(t, nil)
	rec := do(h, "GET", "/", "")
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Body.String(), "<title>Bifrost</title>")
	require.Equal(t, "no-cache", rec.Header().Get("Cache-Control"))

	rec = do(h, "GET", "/organizations/42/settings", "")
	require.Equal(t, http.StatusOK, rec.Code, "front-end routes get index.html")
	require.Contains(t, rec.Body.String(), "<title>Bifrost</title>")

	rec = do(h, "GET", "/assets/app-3f9a.js", "", "Accept-Encoding", "gzip")
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "public, max-age=31536000, immutable", rec.Header().Get("Cache-Control"))
	require.Equal(t, "gzip", rec.Header().Get("Content-Encoding"))

	rec = do(h, "GET", "/assets/app-old.js", "")
	require.Equal(t, http.StatusNotFound, rec.Code, "a missing asset is not answered with index.html")
	require.Equal(t, "web.not_found", problem(t, rec).Code)

	_, plain := newServer(t, func(o *httpx.Options) { o.Web = nil })
	rec = do(plain, "GET", "/", "")
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Body.String(), "built without the web UI")
}

func TestWorkerProcessesServeOnlyProbes(t *testing.T) {
	t.Parallel()
	_, h := newServer(t, func(o *httpx.Options) { o.API = false })
	require.Equal(t, http.StatusOK, do(h, "GET", "/health", "").Code)
	require.Equal(t, http.StatusOK, do(h, "GET", "/ready", "").Code)
	require.Equal(t, http.StatusOK, do(h, "GET", "/metrics", "").Code)
	require.Equal(t, http.StatusNotFound, do(h, "GET", "/api/openapi.json", "").Code)
	require.Equal(t, http.StatusNotFound, do(h, "GET", "/", "").Code)
}

func TestMetricsCountRequestsByRoute(t *testing.T) {
	t.Parallel()
	_, h := newServer(t, nil)
	do(h, "POST", "/api/orgs/a/widgets", `{"name":"x","size":1}`)
	do(h, "POST", "/api/orgs/b/widgets", `{"name":"y","size":1}`)
	body := do(h, "GET", "/metrics", "").Body.String()
	require.Contains(t, body, `bifrost_http_requests_total{code="201",method="POST",route="/api/orgs/:org/widgets"} 2`)
	require.Contains(t, body, "bifrost_http_request_duration_seconds_bucket")
}

func TestDocsPage(t *testing.T) {
	t.Parallel()
	_, h := newServer(t, nil)
	rec := do(h, "GET", "/api/docs", "")
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Body.String(), "<script>")
	csp := rec.Header().Get("Content-Security-Policy")
	require.Contains(t, csp, "script-src 'sha256-", "the inline script is allowed by its hash only")
	for _, d := range strings.Split(csp, ";") {
		if strings.HasPrefix(strings.TrimSpace(d), "script-src") {
			require.NotContains(t, d, "unsafe-inline")
			require.NotContains(t, d, "'self'")
		}
	}
}

// The route registry is the single source of truth: every /api route the
// router knows is in the OpenAPI document, and the document is valid.
func TestEveryAPIRouteIsDocumented(t *testing.T) {
	t.Parallel()
	s, h := newServer(t, nil)
	rec := do(h, "GET", "/api/openapi.json", "")
	require.Equal(t, http.StatusOK, rec.Code)
	doc, err := openapi3.NewLoader().LoadFromData(rec.Body.Bytes())
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()), "a valid OpenAPI 3 document")
	require.Equal(t, "3.0.3", doc.OpenAPI)

	AssertRoutesDocumented(t, s.Echo(), doc)

	op := doc.Paths.Find("/api/orgs/{org}/widgets").Post
	require.NotNil(t, op)
	require.Equal(t, "Create a widget", op.Summary)
	names := map[string]string{}
	for _, p := range op.Parameters {
		names[p.Value.Name] = p.Value.In
	}
	require.Equal(t, map[string]string{"org": "path", "dry_run": "query"}, names)
	body := op.RequestBody.Value.Content.Get("application/json").Schema.Value
	require.ElementsMatch(t, []string{"name", "size"}, body.Required)
	require.NotContains(t, body.Properties, "OrgID", "path fields are not body fields")
	require.NotNil(t, op.Responses.Value("201"))
	require.NotNil(t, op.Responses.Value("422"))
	require.Contains(t, doc.Components.Schemas, "Problem")
	require.Contains(t, doc.Components.Schemas, "ReadyResponse")
}

// AssertRoutesDocumented fails for any /api route missing from doc.
func AssertRoutesDocumented(t *testing.T, e *echo.Echo, doc *openapi3.T) {
	t.Helper()
	checked := 0
	for _, r := range e.Router().Routes() {
		if !strings.HasPrefix(r.Path, "/api/") || r.Method == echo.RouteNotFound || strings.HasSuffix(r.Path, "/*") {
			continue
		}
		path := openapiPath(r.Path)
		item := doc.Paths.Value(path)
		require.NotNil(t, item, "route %s %s is not in the OpenAPI document", r.Method, r.Path)
		require.NotNil(t, item.GetOperation(r.Method), "route %s %s is not in the OpenAPI document", r.Method, r.Path)
		checked++
	}
	require.Positive(t, checked)
}

func openapiPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

func TestAbandonedRequestsAreNotServerErrors(t *testing.T) {
	t.Parallel()
	s, h := newServer(t, nil)
	s.API().Add(httpx.Route{Method: http.MethodGet, Path: "/api/slow", Summary: "Slow", Public: true, Handler: func(c *echo.Context) error {
		<-c.Request().Context().Done()
		return c.Request().Context().Err()
	}})
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequest("GET", "/api/slow", nil).WithContext(ctx)
	cancel()
	h.ServeHTTP(httptest.NewRecorder(), req)
	body := do(h, "GET", "/metrics", "").Body.String()
	require.Contains(t, body, `bifrost_http_requests_total{code="499",method="GET",route="/api/slow"} 1`)
	require.NotContains(t, body, `code="500",method="GET",route="/api/slow"`)
}

func TestAccessLogRecordsErrorResponses(t *testing.T) {
	t.Parallel()
	var buf strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), nil))
	_, h := newServer(t, func(o *httpx.Options) { o.Logger = logger })
	rec := do(h, "POST", "/api/orgs/o1/widgets", `{"name":"taken","size":1}`)
	require.Equal(t, http.StatusConflict, rec.Code)
	mu.Lock()
	defer mu.Unlock()
	var line struct {
		Status int   `json:"status"`
		Bytes  int64 `json:"bytes"`
	}
	for _, l := range strings.Split(buf.String(), "\n") {
		if strings.Contains(l, `"msg":"http request"`) {
			require.NoError(t, json.Unmarshal([]byte(l), &line))
		}
	}
	require.Equal(t, http.StatusConflict, line.Status)
	require.Equal(t, int64(rec.Body.Len()), line.Bytes, "the problem body is counted")
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
