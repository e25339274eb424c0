package config

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"
)

// MinSecretKeyLength is the shortest secret key accepted.
const MinSecretKeyLength = 32

// Validate checks every key and returns one error listing each problem as
// "key: problem".
func (c Config) Validate() error {
	var errs []string
	add := func(key, format string, args ...any) {
		errs = append(errs, key+": "+fmt.Sprintf(format, args...))
	}

	if c.Env != "development" && c.Env != "production" {
		add("env", "must be development or production, got %q", c.Env)
	}
	if c.SecretKey != "" && len(c.SecretKey) < MinSecretKeyLength {
		add("secret_key", "must be at least %d characters (generate one with: openssl rand -hex 32)", MinSecretKeyLength)
	}
	if c.SecretKey == "" && c.Env == "production" {
		add("secret_key", "required in production (generate one with: openssl rand -hex 32)")
	}
	if strings.TrimSpace(c.DataDir) == "" {
		add("data_dir", "must not be empty")
	}
	if len(c.Roles) == 0 {
		add("roles", "name at least one of %s", strings.Join(AllRoles, ", "))
	}
	for _, r := range c.Roles {
		if !slices.Contains(AllRoles, r) {
			add("roles", "unknown role %q (use %s)", r, strings.Join(AllRoles, ", "))
		}
	}

	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.Log.Level) {
		add("log.level", "must be debug, info, warn or error, got %q", c.Log.Level)
	}
	if c.Log.Format != "json" && c.Log.Format != "text" {
		add("log.format", "must be json or text, got %q", c.Log.Format)
	}

	if _, port, err := net.SplitHostPort(c.HTTP.Addr); err != nil || port == "" {
		add("http.addr", "not a host:port address (e.g. :8000 or 127.0.0.1:8000)")
	}
	if u, err := url.Parse(c.HTTP.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		add("http.public_url", "not a valid URL (e.g. https://bifrost.example.com)")
	}
	for _, o := range c.HTTP.CORSOrigins {
		if o == "*" {
			add("http.cors_origins", "\"*\" is not allowed with credentialed requests; list the origins")
			continue
		}
		if u, err := url.Parse(o); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			add("http.cors_origins", "%q is not an origin (e.g. https://app.example.com)", o)
		}
	}
	for _, p := range c.HTTP.TrustedProxies {
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			add("http.trusted_proxies", "%q is not an IP address or CIDR range", p)
		}
	}
	if c.HTTP.BodyLimit <= 0 {
		add("http.body_limit", "must be positive")
	}
	positive := map[string]Duration{
		"startup_timeout":            c.StartupTimeout,
		"http.read_header_timeout":   c.HTTP.ReadHeaderTimeout,
		"http.read_timeout":          c.HTTP.ReadTimeout,
		"http.idle_timeout":          c.HTTP.IdleTimeout,
		"http.shutdown_timeout":      c.HTTP.ShutdownTimeout,
		"http.ready_timeout":         c.HTTP.ReadyTimeout,
		"rabbitmq.publish_timeout":   c.RabbitMQ.PublishTimeout,
		"rabbitmq.retry_interval":    c.RabbitMQ.RetryInterval,
		"rabbitmq.retry_max_backoff": c.RabbitMQ.RetryMaxBackoff,
		"rabbitmq.drain_timeout":     c.RabbitMQ.DrainTimeout,
		"scheduler.leader_ttl":       c.Scheduler.LeaderTTL,
	}
	for _, key := range sortedKeys(positive) {
		if positive[key] <= 0 {
			add(key, "must be a positive duration")
		}
	}

	if u, err := url.Parse(c.Database.URL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || strings.Trim(u.Path, "/") == "" {
		add("database.url", "not a valid URL (e.g. postgres://user:pass@localhost:5432/bifrost?sslmode=disable)")
	}
	if c.Database.MaxOpenConns < 1 {
		add("database.max_open_conns", "must be at least 1")
	}
	if c.Database.MaxIdleConns < 0 || c.Database.MaxIdleConns > c.Database.MaxOpenConns {
		add("database.max_idle_conns", "must be between 0 and database.max_open_conns")
	}

	if u, err := url.Parse(c.RabbitMQ.URL); err != nil || (u.Scheme != "amqp" && u.Scheme != "amqps") || u.Host == "" {
		add("rabbitmq.url", "not a valid URL (e.g. amqp://guest:guest@localhost:5672/)")
	}
	if c.RabbitMQ.Prefetch < 1 {
		add("rabbitmq.prefetch", "must be at least 1")
	}
	if c.RabbitMQ.MaxRetries < 0 {
		add("rabbitmq.max_retries", "must not be negative")
	}
	if strings.ContainsAny(c.RabbitMQ.Prefix, " \t/") {
		add("rabbitmq.prefix", "must not contain spaces or slashes")
	}

	if u, err := url.Parse(c.Redis.URL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss" && u.Scheme != "unix") || (u.Host == "" && u.Scheme != "unix") {
		add("redis.url", "not a valid URL (e.g. redis://localhost:6379/0)")
	}

	if strings.TrimSpace(c.Workspace.Path) == "" {
		add("workspace.path", "must not be empty")
	}
	if c.Auth.Registration != "invite_only" && c.Auth.Registration != "email_domain" {
		add("auth.registration", "must be invite_only or email_domain, got %q", c.Auth.Registration)
	}
	if c.Auth.SecureCookies != "auto" && c.Auth.SecureCookies != "true" && c.Auth.SecureCookies != "false" {
		add("auth.secure_cookies", "must be auto, true or false, got %q", c.Auth.SecureCookies)
	}
	if c.Auth.SecureCookies == "false" && c.IsProduction() {
		add("auth.secure_cookies", "must not be false in production")
	}
	for key, d := range map[string]Duration{"auth.access_token_ttl": c.Auth.AccessTokenTTL, "auth.refresh_token_ttl": c.Auth.RefreshTokenTTL, "auth.login_window": c.Auth.LoginWindow} {
		if d <= 0 {
			add(key, "must be a positive duration")
		}
	}
	if c.Auth.AccessTokenTTL > Duration(time.Hour) {
		add("auth.access_token_ttl", "must be at most 1h: access tokens cannot be revoked one by one")
	}
	if c.Auth.LoginFailuresPerAccount < 1 || c.Auth.LoginAttemptsPerAddress < 1 {
		add("auth.login_failures_per_account", "the login limits must be at least 1")
	}
	if c.Auth.Argon2MemoryKiB < 8*1024 || c.Auth.Argon2Iterations < 1 || c.Auth.Argon2Parallelism < 1 {
		add("auth.argon2_memory_kib", "argon2id needs at least 8192 KiB, 1 iteration and parallelism 1")
	}
	for name, p := range map[string]OAuthProviderConfig{"google": c.Auth.Google, "microsoft": c.Auth.Microsoft, "github": c.Auth.GitHub} {
		if p.ClientID != "" && p.ClientSecret == "" {
			add("auth."+name+".client_secret", "required when auth.%s.client_id is set", name)
		}
	}
	if c.Mail.SMTPURL != "" {
		if u, err := url.Parse(c.Mail.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
			add("mail.smtp_url", "not a valid URL (e.g. smtp://user:password@mail.example.com:587)")
		}
	}
	if _, err := mail.ParseAddress(c.Mail.From); err != nil {
		add("mail.from", "not an email address (e.g. Bifrost <bifrost@example.com>)")
	}
	if c.Secrets.MasterKey != "" && !isKey32(c.Secrets.MasterKey) {
		add("secrets.master_key", "must be 32 bytes as 64 hex digits or base64 (generate one with: openssl rand -hex 32)")
	}
	for _, k := range c.Secrets.PreviousMasterKeys {
		if !isKey32(k) {
			add("secrets.previous_master_keys", "each must be 32 bytes as 64 hex digits or base64")
		}
	}
	if c.Integrations.RefreshMargin <= 0 {
		add("integrations.refresh_margin", "must be a positive duration")
	}
	if c.Worker.Concurrency < 1 {
		add("worker.concurrency", "must be at least 1")
	}
	if strings.TrimSpace(c.Workflows.Python) == "" {
		add("workflows.python", "must name a Python interpreter (python3, or a path)")
	}
	if c.Workflows.Concurrency < 1 {
		add("workflows.concurrency", "must be at least 1")
	}
	if c.Workflows.MemoryLimit != 0 && c.Workflows.MemoryLimit < 64<<20 {
		add("workflows.memory_limit", "must be 0 (none) or at least 64MiB")
	}
	if c.Workflows.KillGrace < 0 {
		add("workflows.kill_grace", "must not be negative")
	}
	if c.Executions.SyncTimeout <= 0 {
		add("executions.sync_timeout", "must be a positive duration")
	}
	if c.Executions.HeartbeatInterval <= 0 {
		add("executions.heartbeat_interval", "must be a positive duration")
	}
	if c.Executions.HeartbeatTimeout < 2*c.Executions.HeartbeatInterval {
		add("executions.heartbeat_timeout", "must be at least twice executions.heartbeat_interval")
	}
	if c.Executions.RepublishAfter <= 0 {
		add("executions.republish_after", "must be a positive duration")
	}
	if c.Executions.Retention < 0 {
		add("executions.retention", "must not be negative (0 keeps executions forever)")
	}
	if c.Executions.MaxNesting < 1 {
		add("executions.max_nesting", "must be at least 1")
	}
	if c.Workflows.WatchInterval < 0 {
		add("workflows.watch_interval", "must not be negative")
	}

	if len(errs) == 0 {
		return nil
	}
	return &ValidationError{Problems: errs}
}

// isKey32 reports whether s encodes 32 bytes in hex or base64.
func isKey32(s string) bool {
	s = strings.TrimSpace(s)
	for _, dec := range []func(string) ([]byte, error){
		hex.DecodeString, base64.StdEncoding.DecodeString, base64.RawStdEncoding.DecodeString,
		base64.URLEncoding.DecodeString, base64.RawURLEncoding.DecodeString,
	} {
		if b, err := dec(s); err == nil && len(b) == 32 {
			return true
		}
	}
	return false
}

// ValidationError lists every invalid key.
type ValidationError struct {
	Problems []string
}

func (e *ValidationError) Error() string {
	return "invalid configuration:\n  " + strings.Join(e.Problems, "\n  ")
}

// IsValidationError reports whether err came from Validate.
func IsValidationError(err error) bool {
	var v *ValidationError
	return errors.As(err, &v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
