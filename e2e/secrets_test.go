package e2e

import (
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/platform/crypto"
	"github.com/bifrost-automation/bifrost/platform/testenv"
)

// TestMasterKeyRotation follows the rotation procedure of docs/security.md
// with real processes: secrets written under the old master key, processes
// restarted knowing both keys, `bifrost secrets rotate-key` run while one
// serves, then the old key removed. Every data key opens with the new key
// alone, and the old key alone opens none.
func TestMasterKeyRotation(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	oldKey, newKey := hex.EncodeToString(crypto.NewKey()), hex.EncodeToString(crypto.NewKey())
	oldEnv := environ(t, e, "BIFROST_SECRETS_MASTER_KEY="+oldKey)
	bothEnv := environ(t, e, "BIFROST_SECRETS_MASTER_KEY="+newKey, "BIFROST_SECRETS_PREVIOUS_MASTER_KEYS="+oldKey)
	newEnv := environ(t, e, "BIFROST_SECRETS_MASTER_KEY="+newKey)
	const value = "a-secret-value-seen-by-nobody"

	out, code := runStdin(t, oldEnv, "the admin password\n", "user", "create", "--email", "admin@example.com", "--admin", "--password-stdin")
	require.Equal(t, 0, code, out)
	p := start(t, oldEnv, "serve", "--roles=api")
	admin := api{t: t, base: p.url()}.login("admin@example.com", "the admin password")
	var org, global, own idOnly
	admin.must(http.StatusCreated, "POST", "/api/organizations", map[string]string{"name": "Alpha"}, &org)
	admin.must(http.StatusCreated, "POST", "/api/secrets", map[string]string{"name": "global_key", "value": value}, &global)
	status, body := admin.call("POST", "/api/secrets", map[string]string{"name": "alpha_key", "value": value}, "X-Organization-Id", org.ID)
	require.Equal(t, http.StatusCreated, status, string(body))
	require.NoError(t, json.Unmarshal(body, &own))
	out, code = run(t, oldEnv, "secrets", "status")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "2 data keys wrapped by master key")
	p.signal(syscall.SIGTERM)
	require.Equal(t, 0, p.wait(30*time.Second))
	require.NotContains(t, p.output(), value, "no log line holds a secret value")

	// Restarted with the new key first and the old one as previous, the
	// server keeps serving while rotate-key runs.
	p = start(t, bothEnv, "serve", "--roles=api")
	admin = api{t: t, base: p.url()}.login("admin@example.com", "the admin password")
	out, code = run(t, bothEnv, "secrets", "rotate-key")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "rewrapped 2 data keys")
	require.Contains(t, out, "no data key needs a previous master key")
	admin.must(http.StatusOK, "PUT", "/api/secrets/"+global.ID, map[string]string{"value": value + "-2"}, nil)
	p.signal(syscall.SIGTERM)
	require.Equal(t, 0, p.wait(30*time.Second))

	// The new key alone opens every data key...
	out, code = run(t, newEnv, "secrets", "status")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "every data key opens")
	p = start(t, newEnv, "serve", "--roles=api")
	admin = api{t: t, base: p.url()}.login("admin@example.com", "the admin password")
	status, body = admin.call("PUT", "/api/secrets/"+own.ID, map[string]string{"value": value + "-3"}, "X-Organization-Id", org.ID)
	require.Equal(t, http.StatusOK, status, string(body))
	// ...and the old key alone none.
	out, code = run(t, oldEnv, "secrets", "status")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "2 data keys do not open")
	out, code = run(t, newEnv, "secrets", "rotate-key")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "rewrapped 0 data keys")
	require.False(t, strings.Contains(p.output(), value), "no log line holds a secret value")
}
