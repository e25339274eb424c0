package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/platform/testenv"
)

// snapshot is the OpenAPI document the web UI's TypeScript types are
// generated from (npm run gen:api).
const snapshot = "../web/src/api/openapi.json"

// TestOpenAPISnapshotIsCurrent keeps the web UI's copy of the API document
// in step with the server. Refresh it with `go tool task openapi`.
func TestOpenAPISnapshotIsCurrent(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	p := start(t, environ(t, e), "serve", "--roles=api")
	resp, err := http.Get(p.url() + "/api/openapi.json")
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)

	// The version is the build's; the snapshot does not depend on it.
	var doc map[string]any
	require.NoError(t, json.Unmarshal(raw, &doc))
	doc["info"].(map[string]any)["version"] = "dev"
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(doc))

	if os.Getenv("BIFROST_UPDATE_OPENAPI") == "1" {
		require.NoError(t, os.WriteFile(snapshot, buf.Bytes(), 0o644))
		return
	}
	current, err := os.ReadFile(snapshot)
	require.NoError(t, err)
	require.Equal(t, buf.String(), string(current),
		"web/src/api/openapi.json is out of date: run `go tool task openapi` and commit the result")
}
