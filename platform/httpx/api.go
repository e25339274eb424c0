package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/go-playground/validator/v10"
	"github.com/labstack/echo/v5"

	"github.com/bifrost-automation/bifrost/platform/errs"
)

// Route is one endpoint. It is the single source of truth for both the
// router and the OpenAPI document: a route exists only if it is registered
// through API.Add or Handle, and that registration writes its documentation.
type Route struct {
	Method string
	// Path uses echo's syntax: /api/forms/:id.
	Path        string
	OperationID string
	Summary     string
	Description string
	Tags        []string
	// Input is a struct whose `param` and `query` fields document path and
	// query parameters and whose `json` fields are the request body. Nil
	// means no input.
	Input any
	// Output is the success response body; nil means no body.
	Output any
	// OptionalBody documents the request body as optional.
	OptionalBody bool
	// Status is the success status (200 by default, 204 without Output).
	Status int
	// ContentType of the success body when it is not JSON
	// (text/event-stream, text/html).
	ContentType string
	// Errors lists the error statuses worth documenting beyond the defaults.
	Errors []int
	// Public routes need no credentials. Every other route requires an
	// authenticated user and runs in the organization scope of DESIGN §9.
	Public bool
	// OptionalAuth, on a public route, identifies the caller when valid
	// credentials come with the request and ignores bad ones.
	OptionalAuth bool
	// Permission, when set, is required in the request's organization
	// (platform admins hold every permission).
	Permission string
	// AdminOnly routes are for platform admins.
	AdminOnly bool
	// Deprecated marks the operation as deprecated in the document.
	Deprecated bool

	Handler    echo.HandlerFunc
	Middleware []echo.MiddlewareFunc
}

// API registers routes and remembers them for the OpenAPI document.
type API struct {
	e      *echo.Echo
	routes []Route
	info   DocInfo
	authn  Authenticator
	orgs   OrgResolver
	authz  Authorizer
}

func newAPI(e *echo.Echo, info DocInfo) *API {
	return &API{e: e, info: info}
}

// Add registers a route.
func (a *API) Add(r Route) {
	if r.Handler == nil {
		panic(fmt.Sprintf("httpx: route %s %s has no handler", r.Method, r.Path))
	}
	if r.Status == 0 {
		r.Status = http.StatusOK
		if r.Output == nil && r.ContentType == "" {
			r.Status = http.StatusNoContent
		}
	}
	for _, x := range a.routes {
		if x.Method == r.Method && x.Path == r.Path {
			panic(fmt.Sprintf("httpx: route %s %s registered twice", r.Method, r.Path))
		}
	}
	mw := r.Middleware
	switch {
	case !r.Public:
		mw = append([]echo.MiddlewareFunc{a.guard(r)}, mw...)
	case r.OptionalAuth:
		mw = append([]echo.MiddlewareFunc{a.identify}, mw...)
	}
	a.e.Add(r.Method, r.Path, r.Handler, mw...)
	a.routes = append(a.routes, r)
}

// methodMatcher returns a function listing the methods registered for a
// concrete request path.
func (a *API) methodMatcher() func(path string) []string {
	type pattern struct {
		re     *regexp.Regexp
		method string
	}
	var ps []pattern
	for _, r := range a.routes {
		expr := regexp.QuoteMeta(r.Path)
		expr = regexp.MustCompile(`:[A-Za-z0-9_]+`).ReplaceAllString(expr, `[^/]+`)
		expr = strings.Replace(expr, `\*`, `.*`, 1)
		ps = append(ps, pattern{regexp.MustCompile("^" + expr + "$"), r.Method})
	}
	return func(path string) []string {
		var out []string
		for _, p := range ps {
			if p.re.MatchString(path) {
				out = append(out, p.method)
			}
		}
		sort.Strings(out)
		return out
	}
}

// Routes returns every registered route.
func (a *API) Routes() []Route { return append([]Route(nil), a.routes...) }

// Empty is the input or output of a route that has none.
type Empty struct{}

// Handle registers a JSON endpoint whose input and output types come from
// the handler's signature: the request is bound (path, query, body) and
// validated before fn runs, and fn's result is written as JSON with the
// route's status.
func Handle[In, Out any](a *API, r Route, fn func(c *echo.Context, in *In) (*Out, error)) {
	var in In
	var out Out
	if _, none := any(in).(Empty); !none {
		r.Input = in
	}
	if _, none := any(out).(Empty); !none {
		r.Output = out
	}
	status := r.Status
	if status == 0 {
		status = http.StatusOK
		if r.Output == nil {
			status = http.StatusNoContent
		}
	}
	r.Handler = func(c *echo.Context) error {
		in := new(In)
		bind := Bind
		if r.OptionalBody && noBody(c.Request()) {
			bind = bindWithoutBody
		}
		if err := bind(c, in); err != nil {
			return err
		}
		res, err := fn(c, in)
		if err != nil {
			return err
		}
		if w, _ := echo.UnwrapResponse(c.Response()); w != nil && w.Committed {
			return nil // the handler wrote its own answer (another status)
		}
		if r.Output == nil || res == nil {
			return c.NoContent(status)
		}
		return c.JSON(status, res)
	}
	a.Add(r)
}

var validate = newValidator()

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	// Report fields by the names clients use.
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		for _, tag := range []string{"json", "query", "param"} {
			if name, _, _ := strings.Cut(f.Tag.Get(tag), ","); name != "" && name != "-" {
				return name
			}
		}
		return f.Name
	})
	return v
}

// Bind fills in from the path, the query string and a JSON body, then
// validates it. A body that is not JSON is a 415, unreadable JSON a 400 and
// values that break the rules a 422 naming the fields.
func Bind(c *echo.Context, in any) error {
	if err := echo.BindPathValues(c, in); err != nil {
		return errs.Malformed("request.invalid_path", "A path parameter has the wrong type.").WithCause(err)
	}
	if err := echo.BindQueryParams(c, in); err != nil {
		return errs.Invalid("request.invalid_query", "A query parameter has the wrong type.").WithCause(err)
	}
	if hasBody(reflect.TypeOf(in)) {
		if err := DecodeJSON(c.Request(), in); err != nil {
			return err
		}
	}
	return Validate(in)
}

// noBody reports whether a request came without a body.
func noBody(r *http.Request) bool {
	return r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0
}

// bindWithoutBody binds the path and query of a request whose optional
// body was left out.
func bindWithoutBody(c *echo.Context, in any) error {
	if err := echo.BindPathValues(c, in); err != nil {
		return errs.Malformed("request.invalid_path", "A path parameter has the wrong type.").WithCause(err)
	}
	if err := echo.BindQueryParams(c, in); err != nil {
		return errs.Invalid("request.invalid_query", "A query parameter has the wrong type.").WithCause(err)
	}
	return Validate(in)
}

// DecodeJSON reads a JSON request body into v.
func DecodeJSON(req *http.Request, v any) error {
	if req.Body == nil || req.Body == http.NoBody {
		return errs.Malformed("request.empty_body", "The request body is empty; send a JSON object.")
	}
	if ct := req.Header.Get(echo.HeaderContentType); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return errs.New(errs.KindUnsupportedMedia, "request.unsupported_media_type", "The request body must be JSON (Content-Type: application/json).")
		}
	}
	dec := json.NewDecoder(req.Body)
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return errs.Malformed("request.malformed_json", "The request body holds more than one JSON value.")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he), echo.StatusCode(err) == http.StatusRequestEntityTooLarge:
		return err
	case errors.Is(err, io.EOF):
		return errs.Malformed("request.empty_body", "The request body is empty; send a JSON object.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.Malformed("request.malformed_json", "The request body is not valid JSON: it ends too early.")
	case errors.As(err, &syn):
		return errs.Newf(errs.KindMalformed, "request.malformed_json", "The request body is not valid JSON (at byte %d).", syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return errs.Malformed("request.malformed_json", "The request body must be a JSON object.")
		}
		return errs.Invalid("request.invalid", "The request has invalid fields.", errs.FieldError{
			Field: field, Code: "type", Message: fmt.Sprintf("must be %s", jsonKind(typ.Type)),
		})
	}
	return errs.Malformed("request.malformed_json", "The request body is not valid JSON.").WithCause(err)
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a " + t.String()
}

// Validate checks `validate` struct tags and returns a 422 naming each field.
func Validate(v any) error {
	err := validate.Struct(v)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		var inv *validator.InvalidValidationError
		if errors.As(err, &inv) {
			return nil // not a struct: nothing to validate
		}
		return errs.Internal(err)
	}
	fields := make([]errs.FieldError, 0, len(verrs))
	for _, fe := range verrs {
		fields = append(fields, errs.FieldError{Field: fieldPath(fe), Code: fe.Tag(), Message: fieldMessage(fe)})
	}
	return errs.Invalid("request.invalid", "The request has invalid fields.", fields...)
}

func fieldPath(fe validator.FieldError) string {
	ns := fe.Namespace()
	if _, rest, ok := strings.Cut(ns, "."); ok {
		return rest
	}
	return fe.Field()
}

func fieldMessage(fe validator.FieldError) string {
	p := fe.Param()
	switch fe.Tag() {
	case "required":
		return "is required"
	case "email":
		return "must be an email address"
	case "url", "http_url":
		return "must be a URL"
	case "uuid", "uuid4":
		return "must be a UUID"
	case "min":
		if fe.Kind() == reflect.String {
			return "must be at least " + p + " characters"
		}
		if fe.Kind() == reflect.Slice || fe.Kind() == reflect.Map {
			return "must have at least " + p + " items"
		}
		return "must be at least " + p
	case "max":
		if fe.Kind() == reflect.String {
			return "must be at most " + p + " characters"
		}
		if fe.Kind() == reflect.Slice || fe.Kind() == reflect.Map {
			return "must have at most " + p + " items"
		}
		return "must be at most " + p
	case "oneof":
		return "must be one of: " + strings.ReplaceAll(p, " ", ", ")
	case "gte":
		return "must be at least " + p
	case "lte":
		return "must be at most " + p
	}
	return "is invalid (" + fe.Tag() + ")"
}

// hasBody reports whether t (a pointer to a struct) has JSON body fields.
func hasBody(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return t.Kind() != reflect.Invalid
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Tag.Get("param") != "" || f.Tag.Get("query") != "" || f.Tag.Get("header") != "" {
			continue
		}
		if f.Tag.Get("json") == "-" {
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("json") == "" {
			if hasBody(f.Type) {
				return true
			}
			continue
		}
		return true
	}
	return false
}
