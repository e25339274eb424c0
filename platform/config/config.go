// Package config owns Bifrost's one typed configuration: its defaults, how a
// file, the BIFROST_* environment and command-line flags override them, and
// the validation that runs before anything starts. It must not import other
// Bifrost packages.
package config

import (
	"time"
)

// Roles a `bifrost serve` process can run.
const (
	RoleAPI       = "api"
	RoleWorker    = "worker"
	RoleScheduler = "scheduler"
)

// AllRoles lists every role in start-up order.
var AllRoles = []string{RoleAPI, RoleWorker, RoleScheduler}

// Config is the whole configuration of a Bifrost process.
type Config struct {
	// Env is "development" or "production". Production refuses insecure
	// defaults (a generated secret key, plain-HTTP cookies).
	Env string `koanf:"env" yaml:"env"`
	// SecretKey is the master secret: it signs tokens and wraps the
	// encryption keys of stored secrets. At least 32 characters.
	SecretKey string `koanf:"secret_key" yaml:"secret_key"`
	// DataDir holds local state: uploaded files and, in development, the
	// generated secret key.
	DataDir string `koanf:"data_dir" yaml:"data_dir"`
	// Roles are the parts of the platform `bifrost serve` runs.
	Roles []string `koanf:"roles" yaml:"roles"`
	// StartupTimeout is how long a starting process waits for PostgreSQL,
	// RabbitMQ and Redis to answer before it gives up.
	StartupTimeout Duration `koanf:"startup_timeout" yaml:"startup_timeout"`

	Log          LogConfig          `koanf:"log" yaml:"log"`
	HTTP         HTTPConfig         `koanf:"http" yaml:"http"`
	Database     DatabaseConfig     `koanf:"database" yaml:"database"`
	RabbitMQ     RabbitMQConfig     `koanf:"rabbitmq" yaml:"rabbitmq"`
	Redis        RedisConfig        `koanf:"redis" yaml:"redis"`
	Workspace    WorkspaceConfig    `koanf:"workspace" yaml:"workspace"`
	Worker       WorkerConfig       `koanf:"worker" yaml:"worker"`
	Workflows    WorkflowsConfig    `koanf:"workflows" yaml:"workflows"`
	Executions   ExecutionsConfig   `koanf:"executions" yaml:"executions"`
	Scheduler    SchedulerConfig    `koanf:"scheduler" yaml:"scheduler"`
	Auth         AuthConfig         `koanf:"auth" yaml:"auth"`
	Mail         MailConfig         `koanf:"mail" yaml:"mail"`
	Secrets      SecretsConfig      `koanf:"secrets" yaml:"secrets"`
	Integrations IntegrationsConfig `koanf:"integrations" yaml:"integrations"`
}

// SecretsConfig sets the encryption of stored secrets and OAuth tokens.
type SecretsConfig struct {
	// MasterKey wraps the per-organization data keys: 32 bytes as 64 hex
	// digits or base64. Empty derives one from secret_key.
	MasterKey string `koanf:"master_key" yaml:"master_key"`
	// PreviousMasterKeys still unwrap data keys during a rotation, until
	// `bifrost secrets rotate-key` has rewrapped them all.
	PreviousMasterKeys []string `koanf:"previous_master_keys" yaml:"previous_master_keys"`
}

// IntegrationsConfig sets OAuth integrations.
type IntegrationsConfig struct {
	// RefreshMargin is how long before expiry a token is refreshed.
	RefreshMargin Duration `koanf:"refresh_margin" yaml:"refresh_margin"`
	// AllowHTTP lets authorization and token URLs use plain HTTP (local
	// development and tests). Off, they must be HTTPS.
	AllowHTTP bool `koanf:"allow_http" yaml:"allow_http"`
	// AllowPrivateNetworks lets Bifrost call providers at loopback, private
	// and link-local addresses (an on-premises PSA). Off, such calls are
	// refused, so that integration settings cannot reach internal services.
	// AllowHTTP implies it.
	AllowPrivateNetworks bool `koanf:"allow_private_networks" yaml:"allow_private_networks"`
}

// LogConfig sets the structured logger.
type LogConfig struct {
	Level  string `koanf:"level" yaml:"level"`
	Format string `koanf:"format" yaml:"format"`
}

// HTTPConfig sets the HTTP listener every `serve` process opens.
type HTTPConfig struct {
	Addr              string   `koanf:"addr" yaml:"addr"`
	PublicURL         string   `koanf:"public_url" yaml:"public_url"`
	CORSOrigins       []string `koanf:"cors_origins" yaml:"cors_origins"`
	TrustedProxies    []string `koanf:"trusted_proxies" yaml:"trusted_proxies"`
	BodyLimit         ByteSize `koanf:"body_limit" yaml:"body_limit"`
	ReadHeaderTimeout Duration `koanf:"read_header_timeout" yaml:"read_header_timeout"`
	ReadTimeout       Duration `koanf:"read_timeout" yaml:"read_timeout"`
	IdleTimeout       Duration `koanf:"idle_timeout" yaml:"idle_timeout"`
	ShutdownTimeout   Duration `koanf:"shutdown_timeout" yaml:"shutdown_timeout"`
	ReadyTimeout      Duration `koanf:"ready_timeout" yaml:"ready_timeout"`
}

// DatabaseConfig sets the PostgreSQL pool.
type DatabaseConfig struct {
	URL             string   `koanf:"url" yaml:"url"`
	MaxOpenConns    int      `koanf:"max_open_conns" yaml:"max_open_conns"`
	MaxIdleConns    int      `koanf:"max_idle_conns" yaml:"max_idle_conns"`
	ConnMaxLifetime Duration `koanf:"conn_max_lifetime" yaml:"conn_max_lifetime"`
	ConnMaxIdleTime Duration `koanf:"conn_max_idle_time" yaml:"conn_max_idle_time"`
	// AutoMigrate creates the database and applies migrations when `serve`
	// starts. Off by default: production runs `bifrost migrate up` first.
	AutoMigrate bool `koanf:"auto_migrate" yaml:"auto_migrate"`
}

// RabbitMQConfig sets the broker connection and message handling.
type RabbitMQConfig struct {
	URL string `koanf:"url" yaml:"url"`
	// Prefix is put before every exchange and queue name, so several
	// installations (or tests) can share one broker.
	Prefix         string   `koanf:"prefix" yaml:"prefix"`
	Prefetch       int      `koanf:"prefetch" yaml:"prefetch"`
	PublishTimeout Duration `koanf:"publish_timeout" yaml:"publish_timeout"`
	// MaxRetries is how many times a failing message is retried in place
	// before it goes to its dead-letter queue.
	MaxRetries      int      `koanf:"max_retries" yaml:"max_retries"`
	RetryInterval   Duration `koanf:"retry_interval" yaml:"retry_interval"`
	RetryMaxBackoff Duration `koanf:"retry_max_backoff" yaml:"retry_max_backoff"`
	// DrainTimeout is how long shutdown waits for running handlers before
	// it hands their messages back to the broker.
	DrainTimeout Duration `koanf:"drain_timeout" yaml:"drain_timeout"`
}

// RedisConfig sets the Redis connection.
type RedisConfig struct {
	URL string `koanf:"url" yaml:"url"`
	// Prefix is put before every key and channel name.
	Prefix string `koanf:"prefix" yaml:"prefix"`
}

// WorkspaceConfig locates the workflows folder.
type WorkspaceConfig struct {
	Path string `koanf:"path" yaml:"path"`
}

// WorkerConfig sets the worker role.
type WorkerConfig struct {
	// Concurrency is the number of messages a worker handles at once per queue.
	Concurrency int `koanf:"concurrency" yaml:"concurrency"`
}

// WorkflowsConfig sets how workers run Python workflows.
type WorkflowsConfig struct {
	// Python is the interpreter (3.11 or newer): a name on PATH or a path.
	Python string `koanf:"python" yaml:"python"`
	// Concurrency is how many runs a worker process has going at once.
	Concurrency int `koanf:"concurrency" yaml:"concurrency"`
	// MemoryLimit caps each run's address space (RLIMIT_AS); 0 is none.
	MemoryLimit ByteSize `koanf:"memory_limit" yaml:"memory_limit"`
	// KillGrace is how long a run has between SIGTERM (timeout or
	// cancellation) and SIGKILL.
	KillGrace Duration `koanf:"kill_grace" yaml:"kill_grace"`
	// WatchInterval is how often the workspace is checked for changed
	// files; 0 turns watching off (refresh on demand only).
	WatchInterval Duration `koanf:"watch_interval" yaml:"watch_interval"`
}

// ExecutionsConfig sets how executions are run, watched and kept.
type ExecutionsConfig struct {
	// SyncTimeout is the longest a request waits for a sync execution (or
	// ?wait=true); past it, the answer is 202 with the execution's id.
	SyncTimeout Duration `koanf:"sync_timeout" yaml:"sync_timeout"`
	// HeartbeatInterval is how often a worker marks its running executions
	// alive; HeartbeatTimeout is how long without a heartbeat before the
	// reconciler fails an execution whose worker vanished.
	HeartbeatInterval Duration `koanf:"heartbeat_interval" yaml:"heartbeat_interval"`
	HeartbeatTimeout  Duration `koanf:"heartbeat_timeout" yaml:"heartbeat_timeout"`
	// RepublishAfter is how long an execution may stay Pending before the
	// reconciler publishes it again (its message was lost).
	RepublishAfter Duration `koanf:"republish_after" yaml:"republish_after"`
	// Retention is how long finished executions (and their logs) are kept;
	// 0 keeps them forever.
	Retention Duration `koanf:"retention" yaml:"retention"`
	// MaxNesting bounds workflows.execute() calls inside each other.
	MaxNesting int `koanf:"max_nesting" yaml:"max_nesting"`
}

// SchedulerConfig sets the scheduler role.
type SchedulerConfig struct {
	// LeaderTTL is how long a scheduler's leadership lasts without renewal;
	// it bounds how long jobs pause when the leader dies.
	LeaderTTL Duration `koanf:"leader_ttl" yaml:"leader_ttl"`
}

// AuthConfig sets accounts, sessions and social login.
type AuthConfig struct {
	// AccessTokenTTL is the lifetime of an access token (a JWT).
	AccessTokenTTL Duration `koanf:"access_token_ttl" yaml:"access_token_ttl"`
	// RefreshTokenTTL is how long a session lasts without being used.
	RefreshTokenTTL Duration `koanf:"refresh_token_ttl" yaml:"refresh_token_ttl"`
	// Registration is invite_only, or email_domain: anyone whose verified
	// email is in an active organization's domain may join it.
	Registration string `koanf:"registration" yaml:"registration"`
	// SecureCookies is auto (Secure unless the public URL is plain HTTP on
	// a host other than localhost), true or false.
	SecureCookies string `koanf:"secure_cookies" yaml:"secure_cookies"`
	// Login attempts allowed per window: failures per account, attempts
	// per client address.
	LoginFailuresPerAccount int      `koanf:"login_failures_per_account" yaml:"login_failures_per_account"`
	LoginAttemptsPerAddress int      `koanf:"login_attempts_per_address" yaml:"login_attempts_per_address"`
	LoginWindow             Duration `koanf:"login_window" yaml:"login_window"`
	// Argon2id cost of password hashes.
	Argon2MemoryKiB   int `koanf:"argon2_memory_kib" yaml:"argon2_memory_kib"`
	Argon2Iterations  int `koanf:"argon2_iterations" yaml:"argon2_iterations"`
	Argon2Parallelism int `koanf:"argon2_parallelism" yaml:"argon2_parallelism"`

	Google    OAuthProviderConfig `koanf:"google" yaml:"google"`
	Microsoft OAuthProviderConfig `koanf:"microsoft" yaml:"microsoft"`
	GitHub    OAuthProviderConfig `koanf:"github" yaml:"github"`
}

// OAuthProviderConfig enables one social login provider when ClientID is set.
type OAuthProviderConfig struct {
	ClientID     string `koanf:"client_id" yaml:"client_id"`
	ClientSecret string `koanf:"client_secret" yaml:"client_secret"`
	// Tenant is Microsoft only: common (any work, school or personal
	// account) or one Entra ID tenant id or domain.
	Tenant string `koanf:"tenant" yaml:"tenant,omitempty"`
}

// Enabled reports whether the provider is configured.
func (o OAuthProviderConfig) Enabled() bool { return o.ClientID != "" }

// MailConfig sets outgoing mail.
type MailConfig struct {
	// SMTPURL is smtp://user:pass@host:587 (STARTTLS) or smtps://…:465
	// (TLS). Empty writes messages to <data_dir>/mail instead.
	SMTPURL string `koanf:"smtp_url" yaml:"smtp_url"`
	From    string `koanf:"from" yaml:"from"`
}

// Default returns the configuration used when nothing overrides it: a
// developer machine with PostgreSQL, RabbitMQ and Redis on localhost.
func Default() Config {
	return Config{
		Env:            "development",
		DataDir:        ".bifrost",
		Roles:          append([]string(nil), AllRoles...),
		StartupTimeout: Duration(30 * time.Second),
		Log:            LogConfig{Level: "info", Format: "json"},
		HTTP: HTTPConfig{
			Addr:              ":8000",
			PublicURL:         "http://localhost:8000",
			CORSOrigins:       []string{},
			TrustedProxies:    []string{},
			BodyLimit:         10 << 20,
			ReadHeaderTimeout: Duration(10 * time.Second),
			ReadTimeout:       Duration(60 * time.Second),
			IdleTimeout:       Duration(120 * time.Second),
			ShutdownTimeout:   Duration(15 * time.Second),
			ReadyTimeout:      Duration(2 * time.Second),
		},
		Database: DatabaseConfig{
			URL:             "postgres://postgres@localhost:5432/bifrost?sslmode=disable",
			MaxOpenConns:    20,
			MaxIdleConns:    20,
			ConnMaxLifetime: Duration(30 * time.Minute),
			ConnMaxIdleTime: Duration(5 * time.Minute),
		},
		RabbitMQ: RabbitMQConfig{
			URL:             "amqp://guest:guest@localhost:5672/",
			Prefetch:        1,
			PublishTimeout:  Duration(10 * time.Second),
			MaxRetries:      3,
			RetryInterval:   Duration(time.Second),
			RetryMaxBackoff: Duration(30 * time.Second),
			DrainTimeout:    Duration(30 * time.Second),
		},
		Redis:     RedisConfig{URL: "redis://localhost:6379/0", Prefix: "bifrost:"},
		Workspace: WorkspaceConfig{Path: "./workspace"},
		Worker:    WorkerConfig{Concurrency: 4},
		Workflows: WorkflowsConfig{
			Python: "python3", Concurrency: 16, MemoryLimit: 2 << 30,
			KillGrace: Duration(5 * time.Second), WatchInterval: Duration(500 * time.Millisecond),
		},
		Scheduler: SchedulerConfig{LeaderTTL: Duration(10 * time.Second)},
		Executions: ExecutionsConfig{
			SyncTimeout: Duration(60 * time.Second), HeartbeatInterval: Duration(5 * time.Second),
			HeartbeatTimeout: Duration(30 * time.Second), RepublishAfter: Duration(2 * time.Minute),
			Retention: Duration(30 * 24 * time.Hour), MaxNesting: 5,
		},
		Auth: AuthConfig{
			AccessTokenTTL:          Duration(15 * time.Minute),
			RefreshTokenTTL:         Duration(7 * 24 * time.Hour),
			Registration:            "invite_only",
			SecureCookies:           "auto",
			LoginFailuresPerAccount: 10,
			LoginAttemptsPerAddress: 50,
			LoginWindow:             Duration(15 * time.Minute),
			Argon2MemoryKiB:         64 * 1024,
			Argon2Iterations:        3,
			Argon2Parallelism:       2,
			Microsoft:               OAuthProviderConfig{Tenant: "common"},
		},
		Mail:         MailConfig{From: "Bifrost <bifrost@localhost>"},
		Secrets:      SecretsConfig{PreviousMasterKeys: []string{}},
		Integrations: IntegrationsConfig{RefreshMargin: Duration(5 * time.Minute)},
	}
}

// HasRole reports whether r is among the configured roles.
func (c Config) HasRole(r string) bool {
	for _, x := range c.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// IsProduction reports whether the process runs with production safeguards.
func (c Config) IsProduction() bool { return c.Env == "production" }
