package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/platform/testenv"
)

// api is a JSON client of a running bifrost.
type api struct {
	t      *testing.T
	base   string
	bearer string
}

func (a api) call(method, path string, body any, headers ...string) (int, []byte) {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(a.t, err)
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	require.NoError(a.t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+a.bearer)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	require.NoError(a.t, err)
	defer resp.Body.Close()
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		// An event stream does not end: what it sends in its first second
		// is what is checked.
		time.AfterFunc(time.Second, cancel)
	}
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (a api) must(status int, method, path string, body any, out any) {
	a.t.Helper()
	got, b := a.call(method, path, body)
	require.Equal(a.t, status, got, "%s %s: %s", method, path, b)
	if out != nil {
		require.NoError(a.t, json.Unmarshal(b, out), string(b))
	}
}

func (a api) login(email, password string) api {
	a.t.Helper()
	var tk struct {
		AccessToken string `json:"access_token"`
	}
	api{t: a.t, base: a.base}.must(http.StatusOK, "POST", "/api/auth/login", map[string]string{"email": email, "password": password}, &tk)
	return api{t: a.t, base: a.base, bearer: tk.AccessToken}
}

type idOnly struct {
	ID string `json:"id"`
}

// orgB is what the test knows of the organization user A must not reach.
type orgB struct {
	org, user, role, userEmail, orgName, roleName, execution string
}

// TestTenantIsolationAcrossEveryRoute signs in as a user of organization A
// who holds every permission there, and tries every /api route of the
// running server (read from its OpenAPI document, so routes added later
// are covered without changing this test) with organization B's ids, and
// again naming B in X-Organization-Id. Each answer must be 403 or 404, or
// show none of B's data; afterwards B must be unchanged.
func TestTenantIsolationAcrossEveryRoute(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	ws := t.TempDir()
	require.NoError(t, os.CopyFS(ws, os.DirFS("../workspace")))
	p := start(t, environ(t, e, "BIFROST_WORKSPACE_PATH="+ws), "serve")
	base := p.url()
	anon := api{t: t, base: base}

	var setup struct {
		AccessToken string `json:"access_token"`
	}
	anon.must(http.StatusCreated, "POST", "/api/auth/setup", map[string]string{"email": "admin@example.com", "password": "the admin password"}, &setup)
	admin := api{t: t, base: base, bearer: setup.AccessToken}

	var orgA, orgBID, globalRole, roleA, roleB idOnly
	admin.must(http.StatusCreated, "POST", "/api/organizations", map[string]string{"name": "Alpha Corp", "email_domain": "alpha.example"}, &orgA)
	admin.must(http.StatusCreated, "POST", "/api/organizations", map[string]string{"name": "Bravo Corp", "email_domain": "bravo.example"}, &orgBID)
	all := []string{"workflows.run", "executions.view_all", "forms.manage", "config.manage", "secrets.manage", "integrations.manage", "users.manage", "audit.view"}
	admin.must(http.StatusCreated, "POST", "/api/roles", map[string]any{"name": "Everything", "permissions": all, "organization_id": orgA.ID}, &roleA)
	admin.must(http.StatusCreated, "POST", "/api/roles", map[string]any{"name": "Bravo Secret Role", "permissions": all, "organization_id": orgBID.ID}, &roleB)
	admin.must(http.StatusCreated, "POST", "/api/roles", map[string]any{"name": "Global Helper", "permissions": []string{"workflows.run"}}, &globalRole)

	// Users are created with passwords through `bifrost user create`.
	for _, u := range []struct{ email, org string }{{"alice@alpha.example", "alpha-corp"}, {"bob@bravo.example", "bravo-corp"}} {
		out, code := runStdin(t, environ(t, e), "a member password\n", "user", "create", "--email", u.email, "--org", u.org, "--password-stdin")
		require.Equal(t, 0, code, out)
	}
	var users struct {
		Items []struct {
			ID    string `json:"id"`
			Email string `json:"email"`
		} `json:"items"`
	}
	admin.must(http.StatusOK, "GET", "/api/users", nil, &users)
	ids := map[string]string{}
	for _, u := range users.Items {
		ids[u.Email] = u.ID
	}
	admin.must(http.StatusNoContent, "POST", "/api/roles/"+roleA.ID+"/users", map[string]any{"user_ids": []string{ids["alice@alpha.example"]}}, nil)
	admin.must(http.StatusNoContent, "POST", "/api/roles/"+roleB.ID+"/users", map[string]any{"user_ids": []string{ids["bob@bravo.example"]}}, nil)

	b := orgB{org: orgBID.ID, user: ids["bob@bravo.example"], role: roleB.ID, userEmail: "bob@bravo.example", orgName: "Bravo Corp", roleName: "Bravo Secret Role"}

	// Bob runs a workflow in B: its execution, input and result are B's.
	require.Eventually(t, func() bool {
		status, _ := admin.call("GET", "/api/workflows/hello_world", nil)
		return status == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond, "the worker loads the workspace")
	bob := anon.login("bob@bravo.example", "a member password")
	var run struct {
		ID     string `json:"execution_id"`
		Status string `json:"status"`
	}
	bob.must(http.StatusOK, "POST", "/api/workflows/hello_world/execute?wait=true", map[string]any{"input_data": map[string]any{"name": "Bravo Payroll"}}, &run)
	require.Equal(t, "Success", run.Status)
	b.execution = run.ID
	before := snapshotB(t, admin, b)
	alice := anon.login("alice@alpha.example", "a member password")

	var doc struct {
		Paths map[string]map[string]struct {
			Security []map[string][]string `json:"security"`
		} `json:"paths"`
	}
	anon.must(http.StatusOK, "GET", "/api/openapi.json", nil, &doc)

	// Routes that act on the caller alone and would end the test's session.
	skip := map[string]bool{"POST /api/auth/logout": true, "POST /api/auth/change-password": true}
	secrets := []string{b.org, b.user, b.role, b.userEmail, b.orgName, b.roleName, "bravo.example", b.execution, "Bravo Payroll"}
	param := regexp.MustCompile(`\{([a-z_]+)\}`)
	var checked []string
	paths := make([]string, 0, len(doc.Paths))
	for p := range doc.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, path := range paths {
		if !strings.HasPrefix(path, "/api/") {
			continue
		}
		for method, op := range doc.Paths[path] {
			method = strings.ToUpper(method)
			route := method + " " + path
			if skip[route] {
				continue
			}
			hasParams := param.MatchString(path)
			concrete := param.ReplaceAllStringFunc(path, func(m string) string {
				switch name := m[1 : len(m)-1]; {
				case name == "provider":
					return "google"
				case name == "user_id", strings.HasPrefix(path, "/api/users/"):
					return b.user
				case strings.HasPrefix(path, "/api/roles/"):
					return b.role
				case strings.HasPrefix(path, "/api/executions/"):
					return b.execution
				default:
					return b.org
				}
			})
			query := "?organization_id=" + b.org + "&user_id=" + b.user
			var body any
			if method == "POST" || method == "PUT" || method == "PATCH" {
				body = map[string]any{"organization_id": b.org, "user_ids": []string{b.user}, "role_ids": []string{b.role},
					"name": "Hijacked", "email": "mallory@bravo.example", "permissions": []string{}, "is_active": false}
			}
			public := len(op.Security) == 0
			for _, header := range [][]string{nil, {"X-Organization-Id", b.org}} {
				status, resp := alice.call(method, concrete+query, body, header...)
				what := fmt.Sprintf("%s as an org A user (header %v) -> %d %s", route, header, status, resp)
				for _, s := range secrets {
					require.NotContains(t, withoutEcho(resp), s, "%s: leaks organization B's data", what)
				}
				if public {
					continue
				}
				if header != nil {
					require.Equal(t, http.StatusForbidden, status, "%s: naming another organization must be refused", what)
					continue
				}
				if hasParams {
					require.Contains(t, []int{http.StatusForbidden, http.StatusNotFound}, status, "%s: B's ids must not reach B's data", what)
				}
			}
			checked = append(checked, route)
		}
	}
	require.Greater(t, len(checked), 25, "the sweep covered the API")

	// Global roles are shared between organizations, their holders are not.
	status, resp := alice.call("POST", "/api/roles/"+globalRole.ID+"/users", map[string]any{"user_ids": []string{b.user}})
	require.Equal(t, http.StatusNotFound, status, "giving a global role to B's user: %s", resp)
	admin.must(http.StatusNoContent, "POST", "/api/roles/"+globalRole.ID+"/users", map[string]any{"user_ids": []string{b.user}}, nil)
	status, resp = alice.call("GET", "/api/roles/"+globalRole.ID+"/users", nil)
	require.Equal(t, http.StatusOK, status)
	require.NotContains(t, string(resp), b.userEmail, "a global role's holders in B are not listed for A")
	status, _ = alice.call("DELETE", "/api/roles/"+globalRole.ID+"/users/"+b.user, nil)
	require.Equal(t, http.StatusNotFound, status)
	admin.must(http.StatusNoContent, "DELETE", "/api/roles/"+globalRole.ID+"/users/"+b.user, nil, nil)
	require.Equal(t, before, snapshotB(t, admin, b), "organization B is unchanged")
	t.Logf("checked %d routes", len(checked))
}

// withoutEcho drops what an error repeats of the request itself (its path),
// which the caller knew already.
func withoutEcho(body []byte) string {
	var p map[string]any
	if json.Unmarshal(body, &p) == nil && p["code"] != nil && p["status"] != nil {
		delete(p, "instance")
		if d, _ := p["detail"].(string); strings.HasPrefix(d, "No route matches") {
			delete(p, "detail")
		}
		b, _ := json.Marshal(p)
		return string(b)
	}
	return string(body)
}

// snapshotB is what an admin sees of organization B.
func snapshotB(t *testing.T, admin api, b orgB) string {
	t.Helper()
	var out []string
	for _, path := range []string{"/api/organizations/" + b.org, "/api/users/" + b.user, "/api/roles/" + b.role, "/api/roles/" + b.role + "/users", "/api/executions/" + b.execution} {
		status, body := admin.call("GET", path, nil)
		require.Equal(t, http.StatusOK, status, "%s: %s", path, body)
		var m map[string]any
		require.NoError(t, json.Unmarshal(body, &m))
		delete(m, "last_login_at")
		norm, _ := json.Marshal(m)
		out = append(out, string(norm))
	}
	return strings.Join(out, "\n")
}
