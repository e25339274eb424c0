package workflows_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/modules/workflows"
)

// TestWorkspaceExamples loads the workspace shipped with Bifrost and runs
// each example as its form would.
func TestWorkspaceExamples(t *testing.T) {
	t.Parallel()
	files := map[string]string{}
	entries, err := os.ReadDir("../../workspace")
	require.NoError(t, err)
	for _, e := range entries {
		if e.IsDir() || len(e.Name()) < 4 || e.Name()[len(e.Name())-3:] != ".py" {
			continue
		}
		b, err := os.ReadFile("../../workspace/" + e.Name())
		require.NoError(t, err)
		files[e.Name()] = string(b)
	}
	f := newFixture(t, files)
	reg := f.pool.Registry()
	require.Empty(t, reg.Errors)
	require.Len(t, reg.Workflows, 8)
	require.Len(t, reg.DataProviders, 1)

	for name, inputs := range map[string]map[string]any{
		"hello_world":       {"name": "Ada"},
		"greet_user":        {"first_name": "Ada", "language": "fr", "times": "2"},
		"provision_mailbox": {"display_name": "Service Desk", "alias": "servicedesk", "mailbox_type": "shared", "members": "a@x.com, b@x.com"},
		"license_report":    {"show_unused_only": "true"},
		"assign_department": {"office": "berlin", "department": "engineering"},
		"check_connections": nil,
		"intake_form":       {"anything": "at all"},
		"count_steps":       {"steps": "2", "interval_ms": "1"},
	} {
		o := f.run(name, inputs)
		require.Equal(t, workflows.StatusSuccess, o.res.Status, "%s: %+v %v", name, o.res.Error, o.messages())
	}
	o := f.run("greet_user", map[string]any{"first_name": "Ada", "language": "fr", "times": "2"})
	require.Equal(t, map[string]any{"lines": []any{"Bonjour, Ada!", "Bonjour, Ada!"}, "greeted_by": "Ada Admin", "organization": nil}, o.value(t))
	require.Equal(t, "html", f.run("license_report", nil).res.ResultType)
	o = f.run("check_connections", nil)
	require.Equal(t, map[string]any{"psa_url": nil, "psa_api_key": "missing", "microsoft_graph": "missing"}, o.value(t))
	o = f.run("list_departments", map[string]any{"office": "berlin"}, func(r *workflows.RunRequest) { r.Kind = workflows.KindDataProvider })
	require.Len(t, o.value(t), 2)
	o = f.run("provision_mailbox", map[string]any{"display_name": "X", "alias": "has space"})
	require.Equal(t, "The alias cannot contain spaces.", o.res.Error.Message)
}
