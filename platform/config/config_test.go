package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func write(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "bifrost.yaml")
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

func TestDefaultsAreValid(t *testing.T) {
	l, err := Load(Sources{Environ: []string{}})
	require.NoError(t, err)
	require.Equal(t, Default(), l.Config)
	require.Equal(t, ":8000", l.Config.HTTP.Addr)
	require.Equal(t, AllRoles, l.Config.Roles)
}

func TestPrecedenceDefaultsFileEnvFlags(t *testing.T) {
	file := write(t, `
log:
  level: debug
http:
  addr: ":9000"
  body_limit: 2MB
  shutdown_timeout: 30
rabbitmq:
  prefix: file.
`)
	l, err := Load(Sources{
		File: file,
		Environ: []string{
			"BIFROST_HTTP_ADDR=:9100",
			"BIFROST_DATABASE_URL=postgres://u:p@db:5432/bf?sslmode=disable",
			"BIFROST_HTTP_CORS_ORIGINS=https://a.example.com, https://b.example.com",
			"BIFROST_WORKSPACE_PATH=/srv/ws",
			"BIFROST_SECRET_KEY=" + strings.Repeat("k", 40),
			"BIFROST_RABBITMQ_URL=amqp://x:y@mq:5672/",
			"BIFROST_REDIS_URL=redis://cache:6379/1",
			"BIFROST_AUTH_MICROSOFT_TENANT=",
			"HOME=/root",
		},
		Flags: map[string]string{"http.addr": "127.0.0.1:9200", "roles": "api,worker"},
	})
	require.NoError(t, err)
	c := l.Config
	require.Equal(t, "debug", c.Log.Level, "file over default")
	require.Equal(t, "127.0.0.1:9200", c.HTTP.Addr, "flag over env over file")
	require.Equal(t, ByteSize(2_000_000), c.HTTP.BodyLimit)
	require.Equal(t, 30*time.Second, c.HTTP.ShutdownTimeout.D(), "a bare number of seconds")
	require.Equal(t, "file.", c.RabbitMQ.Prefix)
	require.Equal(t, "postgres://u:p@db:5432/bf?sslmode=disable", c.Database.URL)
	require.Equal(t, []string{"https://a.example.com", "https://b.example.com"}, c.HTTP.CORSOrigins)
	require.Equal(t, "/srv/ws", c.Workspace.Path)
	require.Equal(t, strings.Repeat("k", 40), c.SecretKey)
	require.Equal(t, "amqp://x:y@mq:5672/", c.RabbitMQ.URL)
	require.Equal(t, "redis://cache:6379/1", c.Redis.URL)
	require.Equal(t, []string{"api", "worker"}, c.Roles)
	require.Empty(t, l.Warnings, "an empty variable counts as unset")
}

func TestUnknownEnvironmentVariableWarns(t *testing.T) {
	l, err := Load(Sources{Environ: []string{"BIFROST_HTTP_ADR=:1"}})
	require.NoError(t, err)
	require.Equal(t, []string{"unknown environment variable BIFROST_HTTP_ADR ignored"}, l.Warnings)
}

func TestBifrostConfigNamesTheFile(t *testing.T) {
	file := write(t, "http:\n  addr: \":7000\"\n")
	l, err := Load(Sources{Environ: []string{"BIFROST_CONFIG=" + file}})
	require.NoError(t, err)
	require.Equal(t, ":7000", l.Config.HTTP.Addr)
	require.Equal(t, file, l.File)
}

func TestErrorsNameTheKey(t *testing.T) {
	for _, tc := range []struct {
		name    string
		file    string
		environ []string
		want    string
	}{
		{"bad database url", "", []string{"BIFROST_DATABASE_URL=mysql://x"}, "database.url: not a valid URL"},
		{"unparsable url", "", []string{"BIFROST_DATABASE_URL=::nope"}, "database.url: not a valid URL"},
		{"bad rabbitmq url", "", []string{"BIFROST_RABBITMQ_URL=http://mq"}, "rabbitmq.url: not a valid URL"},
		{"bad redis url", "", []string{"BIFROST_REDIS_URL=localhost:6379"}, "redis.url: not a valid URL"},
		{"bad addr", "", []string{"BIFROST_HTTP_ADDR=8000"}, "http.addr: not a host:port address"},
		{"short secret", "", []string{"BIFROST_SECRET_KEY=short"}, "secret_key: must be at least 32 characters"},
		{"production needs a secret", "", []string{"BIFROST_ENV=production"}, "secret_key: required in production"},
		{"bad role", "", []string{"BIFROST_ROLES=api,web"}, `roles: unknown role "web"`},
		{"bad log level", "", []string{"BIFROST_LOG_LEVEL=loud"}, "log.level: must be debug, info, warn or error"},
		{"bad duration", "", []string{"BIFROST_HTTP_SHUTDOWN_TIMEOUT=soon"}, "http.shutdown_timeout"},
		{"bad number", "", []string{"BIFROST_WORKER_CONCURRENCY=many"}, "worker.concurrency"},
		{"zero concurrency", "", []string{"BIFROST_WORKER_CONCURRENCY=0"}, "worker.concurrency: must be at least 1"},
		{"cors star", "", []string{"BIFROST_HTTP_CORS_ORIGINS=*"}, "http.cors_origins"},
		{"unknown file key", "htp:\n  addr: \":1\"\n", nil, `unknown key "htp.addr"`},
		{"bad size in file", "http:\n  body_limit: lots\n", nil, "http.body_limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := Sources{Environ: tc.environ}
			if src.Environ == nil {
				src.Environ = []string{}
			}
			if tc.file != "" {
				src.File = write(t, tc.file)
			}
			_, err := Load(src)
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestEveryKeyHasAFieldAnEnvNameAndIsDocumented(t *testing.T) {
	example, err := os.ReadFile("../../config.example.yaml")
	require.NoError(t, err, "config.example.yaml documents every key")
	ex, err := Load(Sources{File: "../../config.example.yaml", Environ: []string{}})
	require.NoError(t, err, "config.example.yaml loads")
	require.Equal(t, Default(), ex.Config, "config.example.yaml shows the defaults")
	cfg := Default()
	for _, key := range Keys() {
		_, ok := fieldByKey(&cfg, key)
		require.True(t, ok, key)
		leaf := key[strings.LastIndex(key, ".")+1:]
		require.Contains(t, string(example), leaf+":", "config.example.yaml documents %s", key)
	}
	names := EnvNames(Keys())
	for _, must := range []string{"BIFROST_HTTP_ADDR", "BIFROST_DATABASE_URL", "BIFROST_RABBITMQ_URL", "BIFROST_REDIS_URL", "BIFROST_SECRET_KEY", "BIFROST_WORKSPACE_PATH"} {
		require.Contains(t, names, must)
	}
}

func TestPrintRedactsSecrets(t *testing.T) {
	c := Default()
	c.SecretKey = strings.Repeat("s", 40)
	c.Database.URL = "postgres://bifrost:hunter2@db:5432/bifrost?sslmode=disable"
	c.RabbitMQ.URL = "amqp://bifrost:rabbitpw@mq:5672/"
	c.Redis.URL = "redis://:redispw@cache:6379/0"
	b, err := c.YAML()
	require.NoError(t, err)
	out := string(b)
	for _, secret := range []string{strings.Repeat("s", 40), "hunter2", "rabbitpw", "redispw"} {
		require.NotContains(t, out, secret)
	}
	require.Contains(t, out, "secret_key: '[redacted]'")
	require.Contains(t, out, "postgres://bifrost:xxxxx@db:5432/bifrost")
	require.Contains(t, out, "shutdown_timeout: 15s")
	require.Contains(t, out, "body_limit: 10MiB")
}

func TestEnsureSecretKeyGeneratesOnceAndReuses(t *testing.T) {
	dir := t.TempDir()
	a := Default()
	a.DataDir = dir
	fromFile, err := a.EnsureSecretKey()
	require.NoError(t, err)
	require.True(t, fromFile)
	require.Len(t, a.SecretKey, 64)
	st, err := os.Stat(filepath.Join(dir, SecretKeyFile))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "the key file is private")

	b := Default()
	b.DataDir = dir
	_, err = b.EnsureSecretKey()
	require.NoError(t, err)
	require.Equal(t, a.SecretKey, b.SecretKey, "the next start reuses the key")

	p := Default()
	p.Env = "production"
	p.DataDir = t.TempDir()
	_, err = p.EnsureSecretKey()
	require.Error(t, err, "production never generates a key")
}
