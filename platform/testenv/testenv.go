// Package testenv gives each test its own real PostgreSQL database (cloned
// from a migrated template), its own RabbitMQ exchange and queue names, and
// its own Redis key prefix, and removes them when the test ends. Tests run
// in parallel against the servers on localhost; a server that is down fails
// the test with the command that starts it, never a skip.
//
// Server addresses come from BIFROST_TEST_DATABASE_URL (a maintenance
// database URL), BIFROST_TEST_RABBITMQ_URL and BIFROST_TEST_REDIS_URL.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bifrost-automation/bifrost/platform/config"
)

// Defaults match the local servers of a development machine and CI.
const (
	DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	DefaultRabbitMQURL = "amqp://guest:guest@127.0.0.1:5672/"
	DefaultRedisURL    = "redis://127.0.0.1:6379/0"
)

// DatabaseURL is the maintenance database tests create their databases from.
func DatabaseURL() string { return envOr("BIFROST_TEST_DATABASE_URL", DefaultDatabaseURL) }

// RabbitMQURL is the broker tests use.
func RabbitMQURL() string { return envOr("BIFROST_TEST_RABBITMQ_URL", DefaultRabbitMQURL) }

// RedisURL is the Redis server tests use.
func RedisURL() string { return envOr("BIFROST_TEST_REDIS_URL", DefaultRedisURL) }

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// startHint says how to start each server on a machine like CI's.
var startHint = map[string]string{
	"PostgreSQL": "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start   (or run: bash .ci/run)",
	"RabbitMQ":   "start it with: rabbitmq-server -detached   (it accepts connections ~5 s later; or run: bash .ci/run)",
	"Redis":      "start it with: redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no   (or run: bash .ci/run)",
}

func unreachable(t testing.TB, server, url string, err error) {
	t.Helper()
	t.Fatalf("%s is not reachable at %s: %v\n%s is required by this test (tests never mock it); %s",
		server, config.RedactURL(url), err, server, startHint[server])
}

var nonName = regexp.MustCompile(`[^a-z0-9]+`)

// uniqueName returns a short name unique to this test run, made from the
// test's name so leftovers are easy to trace.
func uniqueName(t testing.TB) string {
	base := strings.Trim(nonName.ReplaceAllString(strings.ToLower(t.Name()), "_"), "_")
	if len(base) > 24 {
		base = base[len(base)-24:]
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return strings.Trim(base, "_") + "_" + hex.EncodeToString(b[:])
}

// Env is every isolated resource of one test.
type Env struct {
	DB     *DB
	Broker *Broker
	Redis  *Redis
}

// New gives the test a database, broker names and a Redis prefix.
func New(t testing.TB) *Env {
	t.Helper()
	return &Env{DB: NewDB(t), Broker: NewBroker(t), Redis: NewRedis(t)}
}

// Config returns a configuration pointing at the test's resources: what a
// `bifrost serve` started by the test should use.
func (e *Env) Config(t testing.TB) config.Config {
	t.Helper()
	cfg := config.Default()
	cfg.Env = "development"
	cfg.SecretKey = strings.Repeat("t", 32) + "-test-secret-key"
	cfg.DataDir = t.TempDir()
	cfg.Workspace.Path = t.TempDir()
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.Log.Level = "warn"
	cfg.StartupTimeout = config.Duration(10 * time.Second)
	// Cheap password hashing: tests sign in often.
	cfg.Auth.Argon2MemoryKiB, cfg.Auth.Argon2Iterations, cfg.Auth.Argon2Parallelism = 8*1024, 1, 1
	if e.DB != nil {
		cfg.Database.URL = e.DB.URL
	}
	if e.Broker != nil {
		cfg.RabbitMQ.URL = e.Broker.URL
		cfg.RabbitMQ.Prefix = e.Broker.Prefix
		cfg.RabbitMQ.RetryInterval = config.Duration(20 * time.Millisecond)
		cfg.RabbitMQ.RetryMaxBackoff = config.Duration(100 * time.Millisecond)
	}
	if e.Redis != nil {
		cfg.Redis.URL = e.Redis.URL
		cfg.Redis.Prefix = e.Redis.Prefix
	}
	return cfg
}

// Environ returns cfg as BIFROST_* variables, for starting the binary.
func Environ(cfg config.Config) []string {
	return []string{
		"BIFROST_ENV=" + cfg.Env,
		"BIFROST_SECRET_KEY=" + cfg.SecretKey,
		"BIFROST_DATA_DIR=" + cfg.DataDir,
		"BIFROST_WORKSPACE_PATH=" + cfg.Workspace.Path,
		"BIFROST_HTTP_ADDR=" + cfg.HTTP.Addr,
		"BIFROST_DATABASE_URL=" + cfg.Database.URL,
		"BIFROST_RABBITMQ_URL=" + cfg.RabbitMQ.URL,
		"BIFROST_RABBITMQ_PREFIX=" + cfg.RabbitMQ.Prefix,
		"BIFROST_REDIS_URL=" + cfg.Redis.URL,
		"BIFROST_REDIS_PREFIX=" + cfg.Redis.Prefix,
		"BIFROST_LOG_LEVEL=" + cfg.Log.Level,
		"BIFROST_STARTUP_TIMEOUT=" + cfg.StartupTimeout.String(),
		"BIFROST_AUTH_ARGON2_MEMORY_KIB=" + strconv.Itoa(cfg.Auth.Argon2MemoryKiB),
		"BIFROST_AUTH_ARGON2_ITERATIONS=" + strconv.Itoa(cfg.Auth.Argon2Iterations),
		"BIFROST_AUTH_ARGON2_PARALLELISM=" + strconv.Itoa(cfg.Auth.Argon2Parallelism),
	}
}

func cleanupContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 30*time.Second)
}
