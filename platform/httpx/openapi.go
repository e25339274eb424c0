package httpx

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"
)

// DocInfo is the document's info block.
type DocInfo struct {
	Title       string
	Version     string
	Description string
}

// SchemaProvider lets a type describe its own schema.
type SchemaProvider interface {
	OpenAPISchema() *openapi3.Schema
}

// Enum lets a named string type list its values in the document.
type Enum interface {
	EnumValues() []string
}

var (
	timeType     = reflect.TypeOf(time.Time{})
	uuidType     = reflect.TypeOf(uuid.UUID{})
	rawJSONType  = reflect.TypeOf(json.RawMessage{})
	addrType     = reflect.TypeOf(netip.Addr{})
	durationType = reflect.TypeOf(time.Duration(0))
	providerType = reflect.TypeOf((*SchemaProvider)(nil)).Elem()
	enumType     = reflect.TypeOf((*Enum)(nil)).Elem()
)

// Document builds the OpenAPI 3.0 document from the registered routes.
func (a *API) Document() (*openapi3.T, error) {
	g := newSchemaGen()
	for _, r := range a.routes {
		g.collect(reflect.TypeOf(r.Input))
		g.collect(reflect.TypeOf(r.Output))
	}
	g.collect(reflect.TypeOf(Problem{}))
	g.assignNames()

	doc := &openapi3.T{
		OpenAPI: "3.0.3",
		Info: &openapi3.Info{
			Title:       a.info.Title,
			Version:     a.info.Version,
			Description: a.info.Description,
		},
		Servers: openapi3.Servers{{URL: "/"}},
		Paths:   openapi3.NewPaths(),
		Components: &openapi3.Components{
			Schemas: openapi3.Schemas{},
			SecuritySchemes: openapi3.SecuritySchemes{
				"bearerAuth": {Value: &openapi3.SecurityScheme{
					Type: "http", Scheme: "bearer", BearerFormat: "JWT",
					Description: "An access token from POST /api/auth/login.",
				}},
				"cookieAuth": {Value: &openapi3.SecurityScheme{
					Type: "apiKey", In: "cookie", Name: "bifrost_access",
					Description: "The browser session cookie; state-changing requests also need the X-CSRF-Token header.",
				}},
			},
		},
	}
	problemRef := g.ref(reflect.TypeOf(Problem{}))

	seenIDs := map[string]string{}
	tags := map[string]bool{}
	for _, r := range a.routes {
		op, err := a.operation(g, r, problemRef)
		if err != nil {
			return nil, err
		}
		if prev, dup := seenIDs[op.OperationID]; dup {
			return nil, fmt.Errorf("httpx: operation id %q used by %s and %s %s", op.OperationID, prev, r.Method, r.Path)
		}
		seenIDs[op.OperationID] = r.Method + " " + r.Path
		for _, t := range op.Tags {
			tags[t] = true
		}
		path := openAPIPath(r.Path)
		item := doc.Paths.Value(path)
		if item == nil {
			item = &openapi3.PathItem{}
			doc.Paths.Set(path, item)
		}
		item.SetOperation(r.Method, op)
	}
	for name, s := range g.components {
		doc.Components.Schemas[name] = &openapi3.SchemaRef{Value: s}
	}
	names := make([]string, 0, len(tags))
	for t := range tags {
		names = append(names, t)
	}
	sort.Strings(names)
	for _, t := range names {
		doc.Tags = append(doc.Tags, &openapi3.Tag{Name: t})
	}
	return doc, nil
}

// DocumentJSON renders the document.
func (a *API) DocumentJSON() ([]byte, error) {
	doc, err := a.Document()
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(doc, "", "  ")
}

func (a *API) operation(g *schemaGen, r Route, problemRef *openapi3.SchemaRef) (*openapi3.Operation, error) {
	op := &openapi3.Operation{
		OperationID: r.OperationID,
		Summary:     r.Summary,
		Description: r.Description,
		Tags:        r.Tags,
		Deprecated:  r.Deprecated,
		Responses:   openapi3.NewResponses(),
	}
	if op.OperationID == "" {
		op.OperationID = operationID(r.Method, r.Path)
	}
	if len(op.Tags) == 0 {
		op.Tags = []string{defaultTag(r.Path)}
	}
	if !r.Public {
		op.Security = openapi3.NewSecurityRequirements().
			With(openapi3.NewSecurityRequirement().Authenticate("bearerAuth")).
			With(openapi3.NewSecurityRequirement().Authenticate("cookieAuth"))
		h := openapi3.NewHeaderParameter(HeaderOrganization).WithSchema(openapi3.NewUUIDSchema())
		h.Description = "Platform admins: the organization to act on (none: global). Organization users may only name their own."
		op.AddParameter(h)
		if r.Permission != "" {
			op.Description = strings.TrimSpace(op.Description + "\n\nRequires the `" + r.Permission + "` permission in the organization.")
		}
		if r.AdminOnly {
			op.Description = strings.TrimSpace(op.Description + "\n\nPlatform admins only.")
		}
	} else {
		op.Security = openapi3.NewSecurityRequirements()
	}

	declared := map[string]bool{}
	if r.Input != nil {
		t := reflect.TypeOf(r.Input)
		for _, p := range g.parameters(t) {
			declared[p.Value.In+":"+p.Value.Name] = true
			op.AddParameter(p.Value)
		}
		if hasBody(t) {
			body := g.bodySchema(t)
			op.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().
				WithRequired(!r.OptionalBody).WithJSONSchemaRef(body)}
		}
	}
	for _, name := range pathParams(r.Path) {
		if !declared["path:"+name] {
			op.AddParameter(openapi3.NewPathParameter(name).WithSchema(openapi3.NewStringSchema()))
		}
	}

	success := openapi3.NewResponse().WithDescription(http.StatusText(r.Status))
	switch {
	case r.ContentType != "" && r.Output == nil:
		success.WithContent(openapi3.Content{r.ContentType: openapi3.NewMediaType().WithSchema(openapi3.NewStringSchema())})
	case r.Output != nil:
		ct := r.ContentType
		if ct == "" {
			ct = "application/json"
		}
		success.WithContent(openapi3.Content{ct: openapi3.NewMediaType().WithSchemaRef(g.schema(reflect.TypeOf(r.Output), false))})
	}
	op.Responses.Set(strconv.Itoa(r.Status), &openapi3.ResponseRef{Value: success})

	problem := func(status int) {
		desc := http.StatusText(status)
		op.Responses.Set(strconv.Itoa(status), &openapi3.ResponseRef{Value: openapi3.NewResponse().
			WithDescription(desc).
			WithContent(openapi3.Content{ProblemContentType: openapi3.NewMediaType().WithSchemaRef(problemRef)})})
	}
	statuses := append([]int(nil), r.Errors...)
	if op.RequestBody != nil {
		statuses = append(statuses, http.StatusBadRequest, http.StatusUnprocessableEntity)
	}
	if !r.Public {
		statuses = append(statuses, http.StatusUnauthorized, http.StatusForbidden)
	}
	if len(pathParams(r.Path)) > 0 {
		statuses = append(statuses, http.StatusNotFound)
	}
	sort.Ints(statuses)
	for i, s := range statuses {
		if i > 0 && statuses[i-1] == s {
			continue
		}
		problem(s)
	}
	op.Responses.Set("default", &openapi3.ResponseRef{Value: openapi3.NewResponse().
		WithDescription("An error, as RFC 9457 problem details.").
		WithContent(openapi3.Content{ProblemContentType: openapi3.NewMediaType().WithSchemaRef(problemRef)})})
	return op, nil
}

var paramRe = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// openAPIPath turns echo's /forms/:id into /forms/{id} and a trailing *
// into {path}.
func openAPIPath(p string) string {
	p = paramRe.ReplaceAllString(p, "{$1}")
	if strings.HasSuffix(p, "*") {
		p = strings.TrimSuffix(p, "*") + "{path}"
	}
	return p
}

func pathParams(p string) []string {
	var out []string
	for _, m := range paramRe.FindAllStringSubmatch(p, -1) {
		out = append(out, m[1])
	}
	if strings.HasSuffix(p, "*") {
		out = append(out, "path")
	}
	return out
}

// operationID derives a camelCase id: GET /api/forms/:id -> getFormsById.
func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, seg := range strings.Split(strings.TrimPrefix(path, "/api"), "/") {
		if seg == "" {
			continue
		}
		if strings.HasPrefix(seg, ":") {
			b.WriteString("By")
			seg = seg[1:]
		}
		for _, w := range strings.FieldsFunc(seg, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

func defaultTag(path string) string {
	parts := strings.Split(strings.Trim(strings.TrimPrefix(path, "/api"), "/"), "/")
	if len(parts) == 0 || parts[0] == "" || strings.ContainsAny(parts[0], ":*.") {
		return "system"
	}
	return parts[0]
}

// schemaGen turns Go types into OpenAPI schemas. Named structs become
// components referenced by $ref; names are assigned after every type is
// known, so two types called "ListResponse" in different packages get
// package-qualified names instead of overwriting each other.
type schemaGen struct {
	seen       map[reflect.Type]bool
	names      map[reflect.Type]string
	components map[string]*openapi3.Schema
}

func newSchemaGen() *schemaGen {
	return &schemaGen{seen: map[reflect.Type]bool{}, names: map[reflect.Type]string{}, components: map[string]*openapi3.Schema{}}
}

func isComponent(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t.Name() != "" && !isSpecial(t)
}

func isSpecial(t reflect.Type) bool {
	switch t {
	case timeType, uuidType, rawJSONType, addrType, durationType:
		return true
	}
	return t.Implements(providerType) || reflect.PointerTo(t).Implements(providerType)
}

// collect walks t and records every named struct it reaches.
func (g *schemaGen) collect(t reflect.Type) {
	if t == nil {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if isSpecial(t) {
		return
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		g.collect(t.Elem())
	case reflect.Struct:
		if g.seen[t] {
			return
		}
		g.seen[t] = true
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); f.IsExported() {
				g.collect(f.Type)
			}
		}
	}
}

func (g *schemaGen) assignNames() {
	byName := map[string][]reflect.Type{}
	for t := range g.seen {
		if isComponent(t) {
			byName[typeName(t, false)] = append(byName[typeName(t, false)], t)
		}
	}
	for name, ts := range byName {
		if len(ts) == 1 {
			g.names[ts[0]] = name
			continue
		}
		for _, t := range ts {
			g.names[t] = typeName(t, true)
		}
	}
}

var nonIdent = regexp.MustCompile(`[^A-Za-z0-9]+`)

// typeName is the Go type name, with generic arguments folded in
// (Page[forms.Form] -> PageForm) and optionally the package name first.
func typeName(t reflect.Type, qualified bool) string {
	name := t.Name()
	if i := strings.Index(name, "["); i >= 0 {
		args := name[i+1 : len(name)-1]
		var b strings.Builder
		b.WriteString(name[:i])
		for _, a := range strings.Split(args, ",") {
			a = a[strings.LastIndex(a, "/")+1:]
			if j := strings.LastIndex(a, "."); j >= 0 {
				a = a[j+1:]
			}
			b.WriteString(nonIdent.ReplaceAllString(a, ""))
		}
		name = b.String()
	}
	if qualified {
		pkg := t.PkgPath()
		pkg = pkg[strings.LastIndex(pkg, "/")+1:]
		if pkg != "" {
			name = strings.ToUpper(pkg[:1]) + pkg[1:] + name
		}
	}
	return name
}

func (g *schemaGen) ref(t reflect.Type) *openapi3.SchemaRef {
	return g.schema(t, false)
}

// schema returns t's schema, registering named structs as components.
func (g *schemaGen) schema(t reflect.Type, nullable bool) *openapi3.SchemaRef {
	if t.Kind() == reflect.Pointer {
		return g.schema(t.Elem(), true)
	}
	if isComponent(t) {
		name := g.names[t]
		if name == "" {
			// Reached only through a type not collected up front.
			g.collect(t)
			name = typeName(t, false)
			g.names[t] = name
		}
		if _, done := g.components[name]; !done {
			g.components[name] = &openapi3.Schema{} // placeholder breaks cycles
			g.components[name] = g.structSchema(t)
		}
		return openapi3.NewSchemaRef("#/components/schemas/"+name, nil)
	}
	s := g.inline(t)
	if nullable {
		s.Nullable = true
	}
	return openapi3.NewSchemaRef("", s)
}

func (g *schemaGen) inline(t reflect.Type) *openapi3.Schema {
	if t.Implements(providerType) {
		return reflect.Zero(t).Interface().(SchemaProvider).OpenAPISchema()
	}
	if reflect.PointerTo(t).Implements(providerType) {
		return reflect.New(t).Interface().(SchemaProvider).OpenAPISchema()
	}
	switch t {
	case timeType:
		return openapi3.NewDateTimeSchema()
	case uuidType:
		return openapi3.NewUUIDSchema()
	case rawJSONType:
		return &openapi3.Schema{}
	case addrType:
		return openapi3.NewStringSchema().WithFormat("ip")
	case durationType:
		s := openapi3.NewInt64Schema()
		s.Description = "Nanoseconds."
		return s
	}
	var s *openapi3.Schema
	switch t.Kind() {
	case reflect.String:
		s = openapi3.NewStringSchema()
	case reflect.Bool:
		s = openapi3.NewBoolSchema()
	case reflect.Int, reflect.Int64, reflect.Uint, reflect.Uint64:
		s = openapi3.NewInt64Schema()
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		s = openapi3.NewInt32Schema()
	case reflect.Float32, reflect.Float64:
		s = openapi3.NewFloat64Schema()
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			s = openapi3.NewBytesSchema()
		} else {
			s = openapi3.NewArraySchema()
			s.Items = g.schema(t.Elem(), false)
		}
	case reflect.Map:
		s = openapi3.NewObjectSchema()
		add := g.schema(t.Elem(), false)
		s.AdditionalProperties = openapi3.AdditionalProperties{Schema: add}
	case reflect.Struct:
		s = g.structSchema(t)
	default: // interface{} and friends: any JSON value
		s = &openapi3.Schema{}
	}
	if t.Implements(enumType) {
		for _, v := range reflect.Zero(t).Interface().(Enum).EnumValues() {
			s.Enum = append(s.Enum, v)
		}
	}
	return s
}

// structSchema builds an object schema from t's JSON fields. Fields bound
// from the path or query string are parameters, not body.
func (g *schemaGen) structSchema(t reflect.Type) *openapi3.Schema {
	s := openapi3.NewObjectSchema()
	s.Properties = openapi3.Schemas{}
	g.addFields(s, t)
	sort.Strings(s.Required)
	return s
}

func (g *schemaGen) addFields(s *openapi3.Schema, t reflect.Type) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Tag.Get("param") != "" || f.Tag.Get("query") != "" || f.Tag.Get("header") != "" {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				g.addFields(s, ft)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		prop := g.schema(f.Type, false)
		prop = decorate(prop, f)
		s.Properties[name] = prop
		optional := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero") || f.Type.Kind() == reflect.Pointer
		if !optional {
			s.Required = append(s.Required, name)
		}
	}
}

// decorate applies the doc, enum, example and format tags. A $ref cannot
// carry siblings in OpenAPI 3.0, so a described reference is wrapped in allOf.
func decorate(ref *openapi3.SchemaRef, f reflect.StructField) *openapi3.SchemaRef {
	doc, enum, example, format := f.Tag.Get("doc"), f.Tag.Get("enum"), f.Tag.Get("example"), f.Tag.Get("format")
	if doc == "" && enum == "" && example == "" && format == "" && f.Type.Kind() != reflect.Pointer {
		return ref
	}
	var s *openapi3.Schema
	if ref.Ref != "" {
		if doc == "" && f.Type.Kind() != reflect.Pointer {
			return ref
		}
		s = &openapi3.Schema{AllOf: openapi3.SchemaRefs{ref}}
	} else {
		c := *ref.Value
		s = &c
	}
	if f.Type.Kind() == reflect.Pointer {
		s.Nullable = true
	}
	if doc != "" {
		s.Description = doc
	}
	if format != "" {
		s.Format = format
	}
	if enum != "" {
		s.Enum = nil
		for _, v := range strings.Split(enum, ",") {
			s.Enum = append(s.Enum, strings.TrimSpace(v))
		}
	}
	if example != "" {
		s.Example = example
	}
	return openapi3.NewSchemaRef("", s)
}

// parameters documents the `param` and `query` fields of an input struct.
func (g *schemaGen) parameters(t reflect.Type) openapi3.Parameters {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var out openapi3.Parameters
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = append(out, g.parameters(f.Type)...)
			continue
		}
		var p *openapi3.Parameter
		if name := f.Tag.Get("param"); name != "" {
			p = openapi3.NewPathParameter(name)
		} else if name := f.Tag.Get("query"); name != "" {
			p = openapi3.NewQueryParameter(name)
			p.Required = strings.Contains(f.Tag.Get("validate"), "required")
		} else {
			continue
		}
		p.Description = f.Tag.Get("doc")
		// The description belongs to the parameter, the rest to its schema.
		schemaTags := reflect.StructTag(fmt.Sprintf(`enum:%q example:%q format:%q`, f.Tag.Get("enum"), f.Tag.Get("example"), f.Tag.Get("format")))
		p.Schema = decorate(g.schema(f.Type, false), reflect.StructField{Type: f.Type, Tag: schemaTags})
		out = append(out, &openapi3.ParameterRef{Value: p})
	}
	return out
}

// bodySchema is the request body: the input's JSON fields.
func (g *schemaGen) bodySchema(t reflect.Type) *openapi3.SchemaRef {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return g.schema(t, false)
	}
	mixed := false
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Tag.Get("param") != "" || f.Tag.Get("query") != "" || f.Tag.Get("header") != "" {
			mixed = true
		}
	}
	if !mixed {
		return g.schema(t, false)
	}
	// Path and query fields are not part of the body; describe the rest inline.
	return openapi3.NewSchemaRef("", g.structSchema(t))
}
