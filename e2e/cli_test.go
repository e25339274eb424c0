package e2e

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/platform/testenv"
)

func TestUserCreateOnAFreshDatabaseAndAgain(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	env := environ(t, e)

	out, code := runStdin(t, env, "first admin password\n", "user", "create", "--email", "Root@Example.com", "--admin", "--password-stdin")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "created root@example.com (platform admin)")

	out, code = runStdin(t, env, "second admin password\n", "user", "create", "--email", "root@example.com", "--admin", "--password-stdin")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "updated root@example.com")

	out, code = run(t, env, "user", "create", "--email", "tech@example.com", "--org", "nowhere")
	require.Equal(t, 1, code)
	require.Contains(t, out, `no organization has the slug "nowhere"`)

	out, code = runStdin(t, env, "short\n", "user", "create", "--email", "x@example.com", "--admin", "--password-stdin")
	require.Equal(t, 1, code)
	require.Contains(t, out, "password must be at least 10 characters")

	out, code = run(t, env, "user", "create", "--email", "invitee@example.com", "--admin")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "invitation link (valid 7 days): ")
	require.Contains(t, out, "/accept-invite?token=")

	p := start(t, env, "serve", "--roles=api")
	api{t: t, base: p.url()}.login("root@example.com", "second admin password")
}

func TestSeedOnAFreshDatabaseAndAgain(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	env := environ(t, e)

	out, code := run(t, env, "seed")
	require.Equal(t, 0, code, out)
	for _, want := range []string{"created organization Contoso", "created organization Fabrikam", "created platform admin admin@bifrost.local",
		"created user tech@contoso.com", "created user tech@fabrikam.com", "created global role Technician"} {
		require.Contains(t, out, want)
	}
	require.Contains(t, out, "bifrost-demo-1234")
	require.NotContains(t, out, "not recorded", "every change is audited, from the command line too")

	out, code = run(t, env, "seed")
	require.Equal(t, 0, code, out)
	require.NotContains(t, out, "created ")
	require.Equal(t, 10, strings.Count(out, "exists  "), out)

	p := start(t, env, "serve", "--roles=api")
	tech := api{t: t, base: p.url()}.login("tech@contoso.com", "bifrost-demo-1234")
	var orgs struct {
		Items []struct {
			Name string `json:"name"`
		} `json:"items"`
	}
	tech.must(http.StatusOK, "GET", "/api/organizations", nil, &orgs)
	require.Len(t, orgs.Items, 1)
	require.Equal(t, "Contoso", orgs.Items[0].Name)
}

func TestWorkflowsListAndRun(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	ws := t.TempDir()
	require.NoError(t, os.CopyFS(ws, os.DirFS("../workspace")))
	require.NoError(t, os.WriteFile(ws+"/broken.py", []byte("def broken(:\n"), 0o644))
	env := environ(t, e, "BIFROST_WORKSPACE_PATH="+ws, "BIFROST_LOG_LEVEL=warn")

	out, code := run(t, env, "workflows", "list")
	require.Equal(t, 1, code, "a file did not load: %s", out)
	require.Contains(t, out, "greet_user")
	require.Contains(t, out, "first_name:string*")
	require.Contains(t, out, "broken.py:1: SyntaxError")

	out, code = run(t, env, "workflows", "run", "greet_user", "-p", "first_name=Ada")
	require.Equal(t, 1, code, "running needs an account: %s", out)
	require.Contains(t, out, "bifrost user create --admin")
	out, code = runStdin(t, env, "the admin password\n", "user", "create", "--email", "admin@example.com", "--admin", "--password-stdin")
	require.Equal(t, 0, code, out)

	out, code = run(t, env, "workflows", "run", "greet_user", "-p", "first_name=Ada", "-p", "times=2", "-p", "language=nl")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, `"Hallo, Ada!"`)
	require.Contains(t, out, "INFO      greeted Ada 2 time(s) for admin@example.com")
	require.Contains(t, out, "status: Success")

	out, code = run(t, env, "workflows", "run", "greet_user", "-p", "times=9")
	require.Equal(t, 1, code)
	require.Contains(t, out, "first_name: is required")
	require.Contains(t, out, "times: must be at most 5")

	out, code = run(t, env, "workflows", "run", "list_departments", "--data-provider", "-p", "office=berlin", "--json")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, `"label": "Engineering"`)
}
