package workflows_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/modules/workflows"
)

func find(t *testing.T, reg *workflows.Registry, kind, name string) workflows.Definition {
	t.Helper()
	list := reg.Workflows
	if kind == workflows.KindDataProvider {
		list = reg.DataProviders
	}
	for _, d := range list {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("%s %q was not discovered; errors: %+v", kind, name, reg.Errors)
	return workflows.Definition{}
}

// TestCompatDiscovery imports workflow files written for the original
// platform and checks every piece of metadata the decorators declare.
func TestCompatDiscovery(t *testing.T) {
	t.Parallel()
	f := newFixture(t, compat(t))
	reg := f.pool.Registry()
	require.Empty(t, reg.Errors)
	require.Len(t, reg.Files, 5)

	d := find(t, reg, workflows.KindWorkflow, "create_user")
	require.Equal(t, "Create a user in the client's tenant", d.Description)
	require.Equal(t, "User Management", d.Category)
	require.Equal(t, []string{"m365", "users"}, d.Tags)
	require.Equal(t, "sync", d.ExecutionMode)
	require.Equal(t, 120, d.TimeoutSecs)
	require.Equal(t, &workflows.RetryPolicy{MaxAttempts: 3, BackoffSeconds: 2, MaxBackoffSeconds: 30}, d.RetryPolicy)
	require.Nil(t, d.Schedule)
	require.True(t, d.Endpoint)
	require.Equal(t, []string{"POST", "GET"}, d.Methods)
	require.True(t, d.NoGlobalKey)
	require.False(t, d.Public)
	require.True(t, d.IsAsync)
	require.Equal(t, "context", *d.ContextParam)
	require.Equal(t, "user_management.py", d.File)
	var names, types []string
	for _, p := range d.Parameters {
		names, types = append(names, p.Name), append(types, p.Type)
	}
	require.Equal(t, []string{"first_name", "last_name", "email", "age", "salary", "license", "groups", "settings"}, names, "source order")
	require.Equal(t, []string{"string", "string", "email", "int", "float", "bool", "list", "json"}, types)
	first := d.Parameters[0]
	require.Equal(t, "First name", first.Label)
	require.True(t, first.Required)
	require.Equal(t, "Given name", *first.HelpText)
	require.Equal(t, "Last Name", d.Parameters[1].Label, "labels default to the name in Title Case")
	require.Equal(t, "get_groups", *d.Parameters[6].DataProvider)
	require.Equal(t, 1000.5, d.Parameters[4].DefaultValue)
	var schema map[string]any
	require.NoError(t, json.Unmarshal(d.Schema, &schema))
	require.ElementsMatch(t, []any{"first_name", "last_name", "email"}, schema["required"])
	props := schema["properties"].(map[string]any)
	require.Equal(t, map[string]any{"title": "Email", "type": "string", "format": "email", "pattern": `^[^@]+@contoso\.com$`,
		"x-validation-message": "must be a contoso.com address"}, props["email"])
	require.Equal(t, float64(16), props["age"].(map[string]any)["minimum"])
	require.Equal(t, float64(2), props["last_name"].(map[string]any)["minLength"])

	nightly := find(t, reg, workflows.KindWorkflow, "nightly_report")
	require.Equal(t, "Send the nightly user report.", nightly.Description, "the docstring's first line")
	require.Equal(t, "0 3 * * 1-5", *nightly.Schedule)
	require.Equal(t, "async", nightly.ExecutionMode, "async unless endpoint_enabled")
	require.Equal(t, 1800, nightly.TimeoutSecs)
	require.Equal(t, []string{"POST"}, nightly.Methods)
	require.Empty(t, nightly.Parameters, "the context parameter is not a form field")

	tool := find(t, reg, workflows.KindWorkflow, "tool_workflow")
	require.Len(t, tool.Warnings, 1)
	require.Contains(t, tool.Warnings[0], "is_tool")

	typed := find(t, reg, workflows.KindWorkflow, "typed_inputs")
	byName := map[string]workflows.Parameter{}
	for _, p := range typed.Parameters {
		byName[p.Name] = p
	}
	require.NotContains(t, byName, "ctx", "an ExecutionContext parameter is not a form field")
	for name, want := range map[string]struct {
		typ      string
		required bool
	}{
		"name": {"string", true}, "count": {"int", true}, "ratio": {"float", false}, "enabled": {"bool", false},
		"tags": {"list", false}, "options": {"json", false}, "color": {"string", false}, "note": {"string", false}, "untyped": {"string", false},
	} {
		require.Equal(t, want.typ, byName[name].Type, name)
		require.Equal(t, want.required, byName[name].Required, name)
	}
	require.Equal(t, []any{"red", "green"}, byName["color"].Options)
	require.Equal(t, "ctx", *typed.ContextParam)

	handler := find(t, reg, workflows.KindWorkflow, "form_handler")
	require.True(t, handler.AcceptsExtra)

	groups := find(t, reg, workflows.KindDataProvider, "get_groups")
	require.Equal(t, 600, *groups.CacheTTLSecs)
	require.Equal(t, "M365", groups.Category)
	lic := find(t, reg, workflows.KindDataProvider, "licenses")
	require.Equal(t, 300, *lic.CacheTTLSecs)
	require.Equal(t, "prefix", lic.Parameters[0].Name)
	require.Equal(t, "Licenses starting with a prefix.", lic.Description)
}

// TestCompatRuns runs the suite's workflows and checks results, statuses
// and errors as users would see them.
func TestCompatRuns(t *testing.T) {
	t.Parallel()
	f := newFixture(t, compat(t))
	org := &workflows.Org{ID: uuid.New(), Name: "Contoso", IsActive: true}

	o := f.run("create_user", map[string]any{"first_name": "Ada", "last_name": "Lovelace", "email": "ada@contoso.com", "age": "36",
		"license": "true", "groups": "g1, g2", "settings": `{"mfa": true}`}, func(r *workflows.RunRequest) { r.Caller = f.caller(org) })
	require.Equal(t, workflows.StatusSuccess, o.res.Status, "%+v", o.res.Error)
	require.Equal(t, "json", o.res.ResultType)
	require.Equal(t, map[string]any{"user": "Ada Lovelace", "email": "ada@contoso.com", "age": float64(36), "salary": 1000.5, "license": true,
		"groups": []any{"g1", "g2"}, "settings": map[string]any{"mfa": true}, "by": "admin@example.com", "org": org.ID.String()}, o.value(t))
	require.Contains(t, o.messages(), "info: creating Ada Lovelace")

	o = f.run("create_user", map[string]any{"first_name": "Ada", "last_name": "Lovelace", "email": "taken@contoso.com"})
	require.Equal(t, workflows.StatusFailed, o.res.Status)
	require.Equal(t, "UserError", o.res.Error.Type)
	require.Equal(t, "taken@contoso.com already exists", o.res.Error.Message, "a UserError's message is for the user")

	o = f.run("nightly_report", nil, func(r *workflows.RunRequest) { r.Caller = f.caller(org) })
	require.Equal(t, map[string]any{"scope": org.ID.String(), "global": false}, o.value(t))
	o = f.run("nightly_report", nil)
	require.Equal(t, map[string]any{"scope": "GLOBAL", "global": true}, o.value(t))

	o = f.run("typed_inputs", map[string]any{"name": "x", "count": "3", "ratio": "0.25", "enabled": "false", "tags": `["a","b"]`, "color": "green"})
	require.Equal(t, workflows.StatusSuccess, o.res.Status, "%+v", o.res.Error)
	require.Equal(t, map[string]any{"name": "x", "count": float64(3), "ratio": 0.25, "enabled": false, "tags": []any{"a", "b"}, "options": nil,
		"color": "green", "note": nil, "untyped": nil, "ctx_user": "admin@example.com"}, o.value(t))

	require.Equal(t, float64(5), f.run("sync_add", map[string]any{"a": 3}).value(t))
	require.Equal(t, float64(7), f.run("async_add", map[string]any{"a": "3", "b": 4}).value(t))

	o = f.run("form_handler", map[string]any{"anything": "goes", "n": 2})
	require.Equal(t, map[string]any{"received": map[string]any{"anything": "goes", "n": float64(2)}, "user": "admin@example.com"}, o.value(t))

	o = f.run("html_report", map[string]any{"title": "Licenses"})
	require.Equal(t, "html", o.res.ResultType)
	require.Equal(t, "<h1>Licenses</h1><table><tr><td>1</td></tr></table>", o.value(t))
	o = f.run("text_result", nil)
	require.Equal(t, "text", o.res.ResultType)
	require.Equal(t, "just some text", o.value(t))

	o = f.run("partial_failure", nil)
	require.Equal(t, workflows.StatusCompletedWithErrors, o.res.Status)
	require.Equal(t, map[string]any{"success": false, "processed": float64(3), "failed": float64(1)}, o.value(t))

	o = f.run("user_error", nil)
	require.Equal(t, workflows.StatusFailed, o.res.Status)
	require.Equal(t, "The mailbox is full; clear it first.", o.res.Error.Message)

	o = f.run("crash", nil)
	require.Equal(t, workflows.StatusFailed, o.res.Status)
	require.Equal(t, "RuntimeError", o.res.Error.Type)
	require.NotContains(t, o.res.Error.Message, "hunter2", "users see a generic message")
	require.Contains(t, o.res.Error.Detail, "hunter2", "admins see the exception")
	var traceback string
	for _, l := range o.logs {
		if l.Level == "traceback" {
			traceback = l.Message
		}
	}
	require.Contains(t, traceback, `raise RuntimeError("database password is hunter2")`)
	require.Contains(t, traceback, "forms.py")
	require.Equal(t, map[string]any{"internal": true}, o.res.Variables["secret_sauce"], "variables are captured when a workflow raises too")

	o = f.run("get_groups", nil, func(r *workflows.RunRequest) { r.Kind = workflows.KindDataProvider })
	require.Equal(t, []any{map[string]any{"label": "Sales", "value": "g1"}, map[string]any{"label": "IT", "value": "g2", "metadata": map[string]any{"members": float64(4)}}}, o.value(t))
	o = f.run("licenses", map[string]any{"prefix": "M365"}, func(r *workflows.RunRequest) { r.Kind = workflows.KindDataProvider })
	require.Equal(t, "M365 E3", o.value(t).([]any)[0].(map[string]any)["label"])
	o = f.run("bad_provider", nil, func(r *workflows.RunRequest) { r.Kind = workflows.KindDataProvider })
	require.Equal(t, workflows.StatusFailed, o.res.Status)
	require.Contains(t, o.res.Error.Message, "list")
}

// TestLogsAndVariables checks log lines (levels, order, data, print) and
// the variables captured for admins.
func TestLogsAndVariables(t *testing.T) {
	t.Parallel()
	f := newFixture(t, compat(t))
	org := &workflows.Org{ID: uuid.New(), Name: "Contoso", IsActive: true}
	var execID string
	o := f.run("who_am_i", map[string]any{"x": 1}, func(r *workflows.RunRequest) { r.Caller = f.caller(org); execID = r.ExecutionID })
	require.Equal(t, workflows.StatusSuccess, o.res.Status, "%+v", o.res.Error)
	require.Equal(t, map[string]any{"who": "admin@example.com in Contoso (" + execID + ")", "params": map[string]any{"x": float64(1)}, "admin": true}, o.value(t))
	require.Equal(t, []string{"debug: debug line", "info: info line", "warning: warning line", "error: error line", "info: printed line"}, o.messages())
	for i, l := range o.logs {
		require.Equal(t, int64(i+1), l.Seq, "lines are numbered in order")
		require.False(t, l.Time.IsZero())
	}
	require.Equal(t, map[string]any{"k": float64(1)}, o.logs[1].Data)
	require.Equal(t, "helpers", o.logs[1].Logger)
	require.Equal(t, float64(42), o.res.Variables["total"])
	require.Equal(t, []any{"a", "b"}, o.res.Variables["items"])
	for _, skipped := range []string{"handle", "_private", "log"} {
		require.NotContains(t, o.res.Variables, skipped)
	}
	require.False(t, strings.Contains(strings.Join(o.messages(), "\n"), "EpollSelector"), "asyncio's own debug lines stay out")
}
