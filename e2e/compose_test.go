package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/bifrost-automation/bifrost/platform/config"
	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The deployment files live at the repository root, one level above this package.
const (
	deployRoot     = ".."
	composeFile    = "compose.yaml"
	dockerfileName = "Dockerfile"
	envExampleFile = "docs/compose.env.example"
)

// testSecretKey stands in for the operator's `openssl rand -hex 32`.
const testSecretKey = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// loadCompose loads compose.yaml the way `docker compose` does, with schema validation,
// interpolation, normalization and the consistency checks on. Only env is visible to
// interpolation: neither the caller's shell nor a developer's local .env can change the result.
// envFiles, when given, are read like `docker compose --env-file`.
func loadCompose(t *testing.T, env map[string]string, envFiles ...string) (*types.Project, error) {
	t.Helper()

	pairs := make([]string, 0, len(env))
	for k, v := range env {
		pairs = append(pairs, k+"="+v)
	}
	opts := []cli.ProjectOptionsFn{
		cli.WithWorkingDirectory(deployRoot),
		cli.WithEnv(pairs),
	}
	if len(envFiles) > 0 {
		opts = append(opts, cli.WithEnvFiles(envFiles...), cli.WithDotEnv)
	}
	options, err := cli.NewProjectOptions([]string{filepath.Join(deployRoot, composeFile)}, opts...)
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return options.LoadProject(ctx)
}

// mustLoadCompose loads compose.yaml with only the required variable set, as a fresh .env would.
func mustLoadCompose(t *testing.T) *types.Project {
	t.Helper()
	project, err := loadCompose(t, map[string]string{"BIFROST_SECRET_KEY": testSecretKey})
	require.NoError(t, err, "compose.yaml must load and validate against the compose schema")
	return project
}

func composeService(t *testing.T, project *types.Project, name string) types.ServiceConfig {
	t.Helper()
	s, err := project.GetService(name)
	require.NoError(t, err, "service %q", name)
	return s
}

func composeEnv(t *testing.T, s types.ServiceConfig, key string) string {
	t.Helper()
	v, ok := s.Environment[key]
	require.True(t, ok, "service %q: %s is not set", s.Name, key)
	require.NotNil(t, v, "service %q: %s has no value", s.Name, key)
	return *v
}

// composeBifrostServices run the bifrost image; composeLongRunning are the services that must stay up.
var (
	composeBifrostServices = []string{"migrate", "api", "jobs"}
	composeLongRunning     = []string{"postgres", "rabbitmq", "redis", "api", "jobs"}
)

func TestComposeProjectShape(t *testing.T) {
	t.Parallel()
	project := mustLoadCompose(t)

	assert.Equal(t, "bifrost", project.Name, "volume and container names derive from the project name")
	assert.ElementsMatch(t,
		[]string{"postgres", "rabbitmq", "redis", "migrate", "api", "jobs"},
		project.ServiceNames())

	images := map[string]string{
		"postgres": "postgres:16",
		"rabbitmq": "rabbitmq:3.13-management",
		"redis":    "redis:7",
	}
	for name, prefix := range images {
		s := composeService(t, project, name)
		assert.True(t, strings.HasPrefix(s.Image, prefix), "%s image %q, want %s*", name, s.Image, prefix)
		assert.Nil(t, s.Build, "%s runs an upstream image and builds nothing", name)
	}
}

func TestComposeBifrostServicesShareOneImage(t *testing.T) {
	t.Parallel()
	project := mustLoadCompose(t)

	root, err := filepath.Abs(deployRoot)
	require.NoError(t, err)

	api := composeService(t, project, "api")
	assert.Equal(t, "bifrost:dev", api.Image, "default tag when BIFROST_VERSION is unset")
	require.NotNil(t, api.Build, "api builds the image from the repository")
	assert.Equal(t, root, api.Build.Context, "build context is the repository root")
	assert.Equal(t, dockerfileName, filepath.Base(api.Build.Dockerfile))
	for _, arg := range []string{"VERSION", "COMMIT", "BUILD_DATE"} {
		assert.Contains(t, api.Build.Args, arg, "build arg %s reaches the Dockerfile", arg)
	}

	for _, name := range composeBifrostServices {
		s := composeService(t, project, name)
		assert.Equal(t, api.Image, s.Image, "%s runs the same image as api", name)
		assert.Equal(t, api.Build, s.Build, "%s builds the same image as api", name)
	}
}

func TestComposeCommands(t *testing.T) {
	t.Parallel()
	project := mustLoadCompose(t)

	want := map[string]types.ShellCommand{
		"migrate": {"migrate", "up"},
		"api":     {"serve", "--roles=api"},
		"jobs":    {"serve", "--roles=worker,scheduler"},
	}
	for name, cmd := range want {
		s := composeService(t, project, name)
		assert.Equal(t, cmd, s.Command, "%s command", name)
		assert.Nil(t, s.Entrypoint, "%s keeps the image's `bifrost` entrypoint", name)
	}
}

func TestComposeStartupOrder(t *testing.T) {
	t.Parallel()
	project := mustLoadCompose(t)

	for _, name := range []string{"api", "jobs"} {
		s := composeService(t, project, name)
		want := map[string]string{
			"postgres": types.ServiceConditionHealthy,
			"rabbitmq": types.ServiceConditionHealthy,
			"redis":    types.ServiceConditionHealthy,
			"migrate":  types.ServiceConditionCompletedSuccessfully,
		}
		got := map[string]string{}
		for dep, d := range s.DependsOn {
			got[dep] = d.Condition
			assert.True(t, d.Required, "%s: dependency %s must be required", name, dep)
		}
		assert.Equal(t, want, got, "%s depends_on", name)
	}

	migrate := composeService(t, project, "migrate")
	require.Contains(t, migrate.DependsOn, "postgres")
	assert.Equal(t, types.ServiceConditionHealthy, migrate.DependsOn["postgres"].Condition)
	assert.Equal(t, types.RestartPolicyNo, migrate.Restart, "a one-shot must not be restarted")
	assert.Empty(t, migrate.Ports)
}

func TestComposeHealthAndRestart(t *testing.T) {
	t.Parallel()
	project := mustLoadCompose(t)

	for _, name := range composeLongRunning {
		s := composeService(t, project, name)
		require.NotNil(t, s.HealthCheck, "%s has a health check", name)
		assert.False(t, s.HealthCheck.Disable, "%s health check is enabled", name)
		require.NotEmpty(t, s.HealthCheck.Test, "%s health check has a test", name)
		assert.Equal(t, "CMD", s.HealthCheck.Test[0], "%s: exec form, no shell needed", name)
		assert.Equal(t, types.RestartPolicyUnlessStopped, s.Restart, "%s restarts after a crash or reboot", name)
	}

	for _, name := range []string{"api", "jobs"} {
		s := composeService(t, project, name)
		probe := strings.Join(s.HealthCheck.Test, " ")
		assert.Contains(t, probe, "python3", "%s: the runtime image has python3, not curl", name)
		assert.Contains(t, probe, "127.0.0.1:8000/ready", "%s probes readiness on the container port", name)
		assert.True(t, s.Init != nil && *s.Init, "%s runs under an init that reaps workflow subprocesses", name)
	}

	migrate := composeService(t, project, "migrate")
	require.NotNil(t, migrate.HealthCheck)
	assert.True(t, migrate.HealthCheck.Disable, "migrate opens no HTTP listener to probe")

	api, jobs := composeService(t, project, "api"), composeService(t, project, "jobs")
	require.NotNil(t, api.StopGracePeriod)
	require.NotNil(t, jobs.StopGracePeriod)
	assert.GreaterOrEqual(t, time.Duration(*api.StopGracePeriod), 30*time.Second)
	assert.Greater(t, time.Duration(*jobs.StopGracePeriod), time.Duration(*api.StopGracePeriod),
		"workers get longer than the api to finish running executions")
}

func TestComposeVolumes(t *testing.T) {
	t.Parallel()
	project := mustLoadCompose(t)

	for _, v := range []string{"postgres_data", "rabbitmq_data", "redis_data", "workspace", "bifrost_data"} {
		assert.Contains(t, project.Volumes, v, "named volume %s", v)
	}

	mounts := map[string]map[string]string{ // service -> target -> named volume
		"postgres": {"/var/lib/postgresql/data": "postgres_data"},
		"rabbitmq": {"/var/lib/rabbitmq": "rabbitmq_data"},
		"redis":    {"/data": "redis_data"},
		"api":      {"/workspace": "workspace", "/var/lib/bifrost": "bifrost_data"},
		"jobs":     {"/workspace": "workspace", "/var/lib/bifrost": "bifrost_data"},
	}
	for name, want := range mounts {
		s := composeService(t, project, name)
		got := map[string]string{}
		for _, v := range s.Volumes {
			if v.Type == types.VolumeTypeVolume {
				got[v.Target] = v.Source
			}
		}
		assert.Equal(t, want, got, "%s named-volume mounts", name)
	}

	// RabbitMQ names its data directory after the node, which derives from the hostname.
	assert.Equal(t, "rabbitmq", composeService(t, project, "rabbitmq").Hostname,
		"a fixed hostname keeps RabbitMQ's data across container re-creation")
}

func TestComposePorts(t *testing.T) {
	t.Parallel()
	project := mustLoadCompose(t)

	api := composeService(t, project, "api")
	require.Len(t, api.Ports, 1)
	assert.Equal(t, uint32(8000), api.Ports[0].Target)
	assert.Equal(t, "8000", api.Ports[0].Published, "default host port")

	rabbit := composeService(t, project, "rabbitmq")
	for _, p := range rabbit.Ports {
		assert.Equal(t, "127.0.0.1", p.HostIP, "RabbitMQ port %d must stay on loopback", p.Target)
		assert.NotEqual(t, uint32(5672), p.Target, "AMQP is not published")
	}

	for _, name := range []string{"postgres", "redis", "migrate", "jobs"} {
		assert.Empty(t, composeService(t, project, name).Ports, "%s publishes no port", name)
	}

	custom, err := loadCompose(t, map[string]string{"BIFROST_SECRET_KEY": testSecretKey, "BIFROST_PORT": "9443"})
	require.NoError(t, err)
	api = composeService(t, custom, "api")
	require.Len(t, api.Ports, 1)
	assert.Equal(t, "9443", api.Ports[0].Published, "BIFROST_PORT moves the host port")
	assert.Equal(t, uint32(8000), api.Ports[0].Target)
	assert.Equal(t, "http://localhost:9443", composeEnv(t, api, "BIFROST_HTTP_PUBLIC_URL"),
		"the default public URL follows the host port")
}

func TestComposeBifrostEnvironment(t *testing.T) {
	t.Parallel()
	project := mustLoadCompose(t)

	api := composeService(t, project, "api")
	assert.Equal(t, "postgres://bifrost:bifrost_dev@postgres:5432/bifrost?sslmode=disable",
		composeEnv(t, api, "BIFROST_DATABASE_URL"))
	assert.Equal(t, "amqp://bifrost:bifrost_dev@rabbitmq:5672/", composeEnv(t, api, "BIFROST_RABBITMQ_URL"))
	assert.Equal(t, "redis://redis:6379/0", composeEnv(t, api, "BIFROST_REDIS_URL"))
	assert.Equal(t, testSecretKey, composeEnv(t, api, "BIFROST_SECRET_KEY"))
	assert.Equal(t, "/workspace", composeEnv(t, api, "BIFROST_WORKSPACE_PATH"))
	assert.Equal(t, "/var/lib/bifrost", composeEnv(t, api, "BIFROST_DATA_DIR"))
	assert.Equal(t, ":8000", composeEnv(t, api, "BIFROST_HTTP_ADDR"), "health checks and the port mapping assume :8000")
	assert.Equal(t, "info", composeEnv(t, api, "BIFROST_LOG_LEVEL"))
	assert.Equal(t, "json", composeEnv(t, api, "BIFROST_LOG_FORMAT"))

	// api, jobs and migrate must agree on every setting, the secret key above all.
	for _, name := range []string{"jobs", "migrate"} {
		assert.Equal(t, api.Environment, composeService(t, project, name).Environment, "%s environment equals api's", name)
	}

	// The backing services' credentials and the URLs bifrost uses must move together.
	custom, err := loadCompose(t, map[string]string{
		"BIFROST_SECRET_KEY": testSecretKey,
		"POSTGRES_PASSWORD":  "pgsecret",
		"RABBITMQ_PASSWORD":  "mqsecret",
		"BIFROST_LOG_LEVEL":  "debug",
	})
	require.NoError(t, err)
	api = composeService(t, custom, "api")
	assert.Equal(t, "pgsecret", composeEnv(t, composeService(t, custom, "postgres"), "POSTGRES_PASSWORD"))
	assert.Equal(t, "postgres://bifrost:pgsecret@postgres:5432/bifrost?sslmode=disable", composeEnv(t, api, "BIFROST_DATABASE_URL"))
	assert.Equal(t, "mqsecret", composeEnv(t, composeService(t, custom, "rabbitmq"), "RABBITMQ_DEFAULT_PASS"))
	assert.Equal(t, "amqp://bifrost:mqsecret@rabbitmq:5672/", composeEnv(t, api, "BIFROST_RABBITMQ_URL"))
	assert.Equal(t, "debug", composeEnv(t, api, "BIFROST_LOG_LEVEL"))
}

// The environment compose hands to bifrost must pass the server's own config validation, and
// every variable must be one the server knows (a misspelt name is silently ignored otherwise).
func TestComposeEnvironmentPassesConfigValidation(t *testing.T) {
	t.Parallel()
	project := mustLoadCompose(t)

	known := config.EnvNames(config.Keys())
	for _, name := range composeBifrostServices {
		s := composeService(t, project, name)
		environ := make([]string, 0, len(s.Environment))
		for k, v := range s.Environment {
			require.NotNil(t, v, "%s: %s has no value", name, k)
			environ = append(environ, k+"="+*v)
			if _, ok := known[k]; !ok {
				t.Errorf("%s: %s is not a bifrost config variable", name, k)
			}
		}
		loaded, err := config.Load(config.Sources{Environ: environ})
		require.NoError(t, err, "%s: bifrost rejects the compose environment", name)
		assert.Equal(t, "/workspace", loaded.Config.Workspace.Path)
		assert.Equal(t, "/var/lib/bifrost", loaded.Config.DataDir)
		assert.Equal(t, testSecretKey, loaded.Config.SecretKey)
		assert.False(t, loaded.Config.Database.AutoMigrate, "the migrate service owns migrations")
	}
}

func TestComposeRequiresSecretKey(t *testing.T) {
	t.Parallel()

	cases := map[string]map[string]string{
		"unset": {},
		"empty": {"BIFROST_SECRET_KEY": ""},
	}
	for name, env := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := loadCompose(t, env)
			require.Error(t, err, "compose must refuse to start without a shared secret key")
			assert.Contains(t, err.Error(), "BIFROST_SECRET_KEY")
			assert.Contains(t, err.Error(), "openssl rand -hex 32", "the error tells the operator how to make one")
		})
	}
}

// composeVarRef matches ${NAME, ${NAME:-…}, ${NAME:?…} and $NAME references in a compose file.
var composeVarRef = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)

// envExampleLine matches NAME= at the start of a line of docs/compose.env.example.
var envExampleLine = regexp.MustCompile(`(?m)^([A-Za-z_][A-Za-z0-9_]*)=`)

func TestComposeEnvExampleDocumentsEveryVariable(t *testing.T) {
	t.Parallel()

	composeYAML, err := os.ReadFile(filepath.Join(deployRoot, composeFile))
	require.NoError(t, err)
	example, err := os.ReadFile(filepath.Join(deployRoot, envExampleFile))
	require.NoError(t, err)

	used := map[string]bool{}
	for _, m := range composeVarRef.FindAllStringSubmatch(string(composeYAML), -1) {
		used[m[1]] = true
	}
	documented := map[string]bool{}
	for _, m := range envExampleLine.FindAllStringSubmatch(string(example), -1) {
		documented[m[1]] = true
	}

	var missing, stale []string
	for v := range used {
		if !documented[v] {
			missing = append(missing, v)
		}
	}
	for v := range documented {
		if !used[v] {
			stale = append(stale, v)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	assert.Empty(t, missing, "variables compose.yaml reads but docs/compose.env.example does not list")
	assert.Empty(t, stale, "variables docs/compose.env.example lists but compose.yaml never reads")
}

func TestComposeWithEnvExample(t *testing.T) {
	t.Parallel()
	example := filepath.Join(deployRoot, envExampleFile)

	// Copied unchanged to .env, docs/compose.env.example must stop the operator at the secret key, nowhere else.
	_, err := loadCompose(t, nil, example)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "BIFROST_SECRET_KEY")

	// With the key set (the shell wins over the file, as in docker compose), every other empty
	// value falls back to a working default.
	project, err := loadCompose(t, map[string]string{"BIFROST_SECRET_KEY": testSecretKey}, example)
	require.NoError(t, err)
	api := composeService(t, project, "api")
	assert.Equal(t, "8000", api.Ports[0].Published)
	assert.Equal(t, "bifrost:dev", api.Image)
	assert.Equal(t, "info", composeEnv(t, api, "BIFROST_LOG_LEVEL"))
	assert.Equal(t, "http://localhost:8000", composeEnv(t, api, "BIFROST_HTTP_PUBLIC_URL"))
	assert.Equal(t, "postgres://bifrost:bifrost_dev@postgres:5432/bifrost?sslmode=disable",
		composeEnv(t, api, "BIFROST_DATABASE_URL"))
}

// dockerStage is one FROM … section of the Dockerfile.
type dockerStage struct {
	from string   // the FROM line
	name string   // the AS name, lower case
	body []string // the instructions after FROM, continuation lines joined
}

// parseDockerfile splits a Dockerfile into stages. It joins `\` continuations and drops
// comments, which is all the checks below need; it is not a full parser.
func parseDockerfile(t *testing.T, text string) []dockerStage {
	t.Helper()
	var (
		lines   []string
		pending string
	)
	for _, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(raw)
		if pending == "" && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if strings.HasSuffix(line, "\\") {
			pending += strings.TrimSuffix(line, "\\") + " "
			continue
		}
		lines = append(lines, pending+line)
		pending = ""
	}
	require.Empty(t, pending, "dangling line continuation")

	var stages []dockerStage
	for _, line := range lines {
		fields := strings.Fields(line)
		if strings.EqualFold(fields[0], "FROM") {
			st := dockerStage{from: line}
			if i := slices.IndexFunc(fields, func(f string) bool { return strings.EqualFold(f, "AS") }); i > 0 && i+1 < len(fields) {
				st.name = strings.ToLower(fields[i+1])
			}
			stages = append(stages, st)
			continue
		}
		if len(stages) > 0 {
			stages[len(stages)-1].body = append(stages[len(stages)-1].body, line)
		}
	}
	return stages
}

func TestComposeDockerfile(t *testing.T) {
	t.Parallel()

	raw, err := os.ReadFile(filepath.Join(deployRoot, dockerfileName))
	require.NoError(t, err)
	text := string(raw)
	assert.True(t, strings.HasPrefix(text, "# syntax=docker/dockerfile:1"),
		"the syntax directive enables RUN --mount cache mounts")

	stages := parseDockerfile(t, text)
	require.Len(t, stages, 3, "web build, Go build, runtime")
	web, build, runtime := stages[0], stages[1], stages[2]
	joined := func(s dockerStage) string { return strings.Join(s.body, "\n") }

	t.Run("web stage builds the UI with Node 20", func(t *testing.T) {
		assert.Contains(t, web.from, "node:${NODE_VERSION}-bookworm-slim")
		assert.Contains(t, text, "ARG NODE_VERSION=20")
		body := joined(web)
		assert.Contains(t, body, "COPY web/package.json web/package-lock.json")
		assert.Contains(t, body, "npm ci")
		assert.Contains(t, body, "npm run build")
		assert.Less(t, strings.Index(body, "npm ci"), strings.Index(body, "COPY web/ "),
			"dependencies install before the sources are copied, for layer caching")
	})

	t.Run("Go stage embeds the UI and stamps the version", func(t *testing.T) {
		assert.Contains(t, build.from, "golang:${GO_VERSION}-bookworm")
		assert.Contains(t, text, "ARG GO_VERSION=1.26")
		body := joined(build)
		assert.Contains(t, body, "CGO_ENABLED=0")
		assert.Contains(t, body, "go mod download")
		assert.Contains(t, body, "--from="+web.name+" /src/web/dist ./web/dist")
		assert.Contains(t, body, "-tags embedweb")
		assert.Contains(t, body, "-trimpath")
		for _, v := range []string{"Version=${VERSION}", "Commit=${COMMIT}", "Date=${BUILD_DATE}"} {
			assert.Contains(t, body, "-X github.com/bifrost-automation/bifrost/platform/buildinfo."+v)
		}
		assert.Contains(t, body, "-o /out/bifrost .")
		assert.Less(t, strings.Index(body, "go mod download"), strings.Index(body, "COPY . ."),
			"modules download before the sources are copied, for layer caching")
	})

	t.Run("runtime runs bifrost as a non-root user with Python", func(t *testing.T) {
		assert.Contains(t, runtime.from, "python:${PYTHON_VERSION}-slim-bookworm")
		assert.Contains(t, text, "ARG PYTHON_VERSION=3.11")
		body := joined(runtime)
		for _, pkg := range []string{"git", "ca-certificates", "tzdata"} {
			assert.Regexp(t, `apt-get install [^\n]*\b`+regexp.QuoteMeta(pkg)+`\b`, body)
		}
		assert.Contains(t, body, "--no-install-recommends")
		assert.Contains(t, body, "rm -rf /var/lib/apt/lists/*")
		assert.Contains(t, body, "--uid 10001")
		assert.Contains(t, body, "COPY --from="+build.name+" /out/bifrost /usr/local/bin/bifrost")
		assert.Contains(t, body, "workspace/ /workspace/", "the example workspace ships in the image")
		for _, e := range []string{"BIFROST_WORKSPACE_PATH=/workspace", "BIFROST_DATA_DIR=/var/lib/bifrost", "BIFROST_HTTP_ADDR=:8000", "BIFROST_LOG_FORMAT=json"} {
			assert.Contains(t, body, e)
		}
		assert.Contains(t, body, "EXPOSE 8000")
		assert.Contains(t, body, "HEALTHCHECK")
		assert.Contains(t, body, "org.opencontainers.image.source=")
		assert.Contains(t, body, `ENTRYPOINT ["bifrost"]`)
		assert.Contains(t, body, `CMD ["serve"]`)

		var user string
		for _, line := range runtime.body {
			if strings.HasPrefix(line, "USER ") {
				user = strings.TrimSpace(strings.TrimPrefix(line, "USER "))
			}
		}
		require.NotEmpty(t, user, "the runtime stage sets USER")
		assert.NotContains(t, []string{"root", "0", "0:0"}, user, "the last USER is not root")
		assert.Equal(t, "10001:10001", user)
	})
}
