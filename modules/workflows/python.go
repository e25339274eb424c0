package workflows

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// python is the interpreter runs use, with the environment they get.
type python struct {
	path    string // the real interpreter, not a shim
	version string
	env     []string
}

// passedEnv are the variables of the worker's environment a workflow
// sees: locale, time zone, proxies and certificates. Nothing else, so no
// platform credential (database, broker, master key) reaches user code.
var passedEnv = []string{
	"LANG", "LC_ALL", "LC_CTYPE", "TZ",
	"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
	"SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
}

// findPython resolves the configured interpreter (through pyenv shims and
// the like) to the real executable and checks it is 3.11 or newer.
func findPython(ctx context.Context, name, sdkDir, workspace, cacheDir string) (*python, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, "-c", "import sys; print(sys.executable); print('%d.%d' % sys.version_info[:2])").Output()
	if err != nil {
		return nil, fmt.Errorf("workflows: Python interpreter %q does not run (set workflows.python): %w", name, err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 {
		return nil, fmt.Errorf("workflows: %q printed %q when asked for its version", name, out)
	}
	path, version := strings.TrimSpace(lines[0]), strings.TrimSpace(lines[1])
	major, minor, _ := strings.Cut(version, ".")
	mj, _ := strconv.Atoi(major)
	mn, _ := strconv.Atoi(minor)
	if mj < 3 || (mj == 3 && mn < 11) {
		return nil, fmt.Errorf("workflows: %s is Python %s; workflows need 3.11 or newer (set workflows.python)", path, version)
	}
	home := filepath.Join(cacheDir, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, fmt.Errorf("workflows: %w", err)
	}
	env := []string{
		"PATH=" + pathEnv(path),
		"HOME=" + home,
		"PYTHONPATH=" + strings.Join([]string{sdkDir, workspace, filepath.Join(workspace, ".packages")}, string(os.PathListSeparator)),
		"PYTHONPYCACHEPREFIX=" + filepath.Join(cacheDir, "pycache"),
		"PYTHONUNBUFFERED=1",
		"PYTHONIOENCODING=utf-8",
	}
	for _, k := range passedEnv {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	if _, ok := os.LookupEnv("LANG"); !ok {
		env = append(env, "LANG=C.UTF-8")
	}
	return &python{path: path, version: version, env: env}, nil
}

// pathEnv is the PATH of runs: the interpreter's folder first, then the
// usual system folders.
func pathEnv(interpreter string) string {
	dirs := []string{filepath.Dir(interpreter), "/usr/local/bin", "/usr/bin", "/bin"}
	var out []string
	seen := map[string]bool{}
	for _, d := range dirs {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return strings.Join(out, string(os.PathListSeparator))
}

// discover imports a workspace in a process of its own and returns its
// registry (the `bifrost workflows list` command).
func (py *python) discover(ctx context.Context, root string) (*Registry, error) {
	cmd := exec.CommandContext(ctx, py.path, "-m", "bifrost._runtime", "discover", root)
	cmd.Dir = root
	cmd.Env = py.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("workflows: discovery failed: %v\n%s", err, stderr.String())
	}
	return decodeRegistry(stdout.Bytes())
}
