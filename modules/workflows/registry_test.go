package workflows_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/modules/internal/apitest"
	"github.com/bifrost-automation/bifrost/modules/workflows"
	"github.com/bifrost-automation/bifrost/platform/config"
)

// TestTheRegistryReachesTheAPI starts the worker side as a worker process
// does and reads what it stored through the API, as the web UI does.
func TestTheRegistryReachesTheAPI(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	for name, body := range compat(t) {
		require.NoError(t, os.WriteFile(filepath.Join(ws, name), []byte(body), 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(ws, "broken.py"), []byte("def broken(:\n"), 0o644))
	app := apitest.New(t, apitest.Options{Worker: true, Config: func(c *config.Config) {
		c.Workspace.Path = ws
		c.Workflows.WatchInterval = config.Duration(100 * time.Millisecond)
	}})
	admin := app.Setup()

	var list workflows.ListResponse
	require.Eventually(t, func() bool {
		admin.Must(http.StatusOK, "GET", "/api/workflows", nil, &list)
		return list.ScannedAt != nil
	}, 15*time.Second, 50*time.Millisecond, "the worker stores the registry")
	require.Len(t, list.Items, 13)
	require.Equal(t, []string{"Forms", "General", "User Management"}, list.Categories)
	require.Len(t, list.Errors, 1)
	require.Equal(t, "broken.py", list.Errors[0].File)
	require.Equal(t, 1, list.Errors[0].Line)
	require.NotEmpty(t, list.Errors[0].Traceback, "platform admins see tracebacks")

	admin.Must(http.StatusOK, "GET", "/api/workflows?category=Forms", nil, &list)
	require.Len(t, list.Items, 6)
	admin.Must(http.StatusOK, "GET", "/api/workflows?q=M365", nil, &list)
	require.Len(t, list.Items, 1, "tags are searched")
	require.Equal(t, "create_user", list.Items[0].Name)

	var d workflows.Definition
	admin.Must(http.StatusOK, "GET", "/api/workflows/create_user", nil, &d)
	require.Len(t, d.Parameters, 8)
	var schema struct {
		Required []string `json:"required"`
	}
	require.NoError(t, json.Unmarshal(d.Schema, &schema))
	require.Equal(t, []string{"first_name", "last_name", "email"}, schema.Required)
	r := admin.Do("GET", "/api/workflows/nope", nil)
	require.Equal(t, http.StatusNotFound, r.Status)
	require.Equal(t, "workflows.not_found", r.Problem(t).Code)

	var providers workflows.DataProvidersResponse
	admin.Must(http.StatusOK, "GET", "/api/data-providers", nil, &providers)
	require.Len(t, providers.Items, 3)

	// Organization users need workflows.run, and see no tracebacks.
	org := app.Org(admin, "Alpha", "alpha.example")
	tech, _ := app.Member(admin, "tech@alpha.example", org)
	require.Equal(t, http.StatusForbidden, tech.Do("GET", "/api/workflows", nil).Status)
	runner, _ := app.Member(admin, "runner@alpha.example", org, app.Role(admin, org, "Runners", "workflows.run"))
	var seen workflows.ListResponse
	runner.Must(http.StatusOK, "GET", "/api/workflows", nil, &seen)
	require.Len(t, seen.Items, 13)
	require.Empty(t, seen.Errors[0].Traceback)
	require.Equal(t, http.StatusForbidden, runner.Do("POST", "/api/workflows/refresh", nil).Status)

	// A new file appears without a restart; an explicit refresh works too.
	require.NoError(t, os.WriteFile(filepath.Join(ws, "late.py"), []byte("from bifrost import workflow\n\n@workflow\ndef late():\n    return 1\n"), 0o644))
	require.Eventually(t, func() bool {
		return admin.Do("GET", "/api/workflows/late", nil).Status == http.StatusOK
	}, 15*time.Second, 50*time.Millisecond)
	admin.Must(http.StatusAccepted, "POST", "/api/workflows/refresh", nil, nil)
}
