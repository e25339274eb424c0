package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bifrost-automation/bifrost/platform/testenv"
)

// webBinary builds bifrost with the web UI embedded, once.
var webBinary = sync.OnceValues(func() (string, error) {
	if _, err := os.Stat("../web/dist/index.html"); err != nil {
		return "", fmt.Errorf("web/dist is not built: run `go tool task web` (or `go tool task test`, which builds it)")
	}
	out := filepath.Join(filepath.Dir(binary), "bifrost-web")
	cmd := exec.Command("go", "build", "-tags", "embedweb", "-o", out, "..")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build with -tags embedweb: %v\n%s", err, b)
	}
	return out, nil
})

// TestWebUIInChromium runs the Playwright suite (web/e2e) in headless
// Chromium against the real binary, started here on the test's own
// database, queues and keys.
func TestWebUIInChromium(t *testing.T) {
	t.Parallel()
	bin, err := webBinary()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("../web/node_modules/.bin/playwright"); err != nil {
		t.Fatal("web/node_modules is missing: run `go tool task web:deps` (npm ci in web/)")
	}
	chromium := os.Getenv("CHROMIUM_PATH")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("Chromium is not installed at %s: run `go tool task chromium` (apt-get install chromium)", chromium)
	}

	e := testenv.New(t)
	// The integrations journey connects through a fake OAuth provider on
	// plain HTTP.
	provider := testenv.NewOAuthServer(t)
	// Providers send the browser back to http.public_url: it must be this
	// server's address, so pick the port before starting it.
	addr := freeAddr(t)
	// The workflows pages show the example workspace.
	ws := t.TempDir()
	if err := os.CopyFS(ws, os.DirFS("../workspace")); err != nil {
		t.Fatal(err)
	}
	env := append(environ(t, e), "BIFROST_INTEGRATIONS_ALLOW_HTTP=true",
		"BIFROST_HTTP_ADDR="+addr, "BIFROST_HTTP_PUBLIC_URL=http://"+addr, "BIFROST_WORKSPACE_PATH="+ws)
	dataDir := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "BIFROST_DATA_DIR="); ok {
			dataDir = v
		}
	}
	p := startBinary(t, bin, env, "serve")
	base := p.url()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npx", "playwright", "test")
	cmd.Dir = "../web"
	// The suite reads the invitation email from the mail folder (mail.smtp_url is unset).
	cmd.Env = append(cleanEnv(), "BIFROST_E2E_BASE_URL="+base, "BIFROST_E2E_MAIL_DIR="+filepath.Join(dataDir, "mail"), "CI=1",
		"BIFROST_E2E_OAUTH_URL="+provider.URL, "BIFROST_E2E_OAUTH_CLIENT_ID="+provider.ClientID,
		"BIFROST_E2E_OAUTH_CLIENT_SECRET="+provider.ClientSecret)
	out, err := cmd.CombinedOutput()
	t.Logf("playwright:\n%s", out)
	if err != nil {
		t.Fatalf("the browser tests failed: %v", err)
	}
}

// freeAddr returns a local address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
