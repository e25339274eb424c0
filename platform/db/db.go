// Package db opens Bifrost's PostgreSQL pool (bun over pgx), runs
// transactions and applies the embedded migrations. It holds no domain
// logic; modules own their models and SQL.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// Options sets up the pool.
type Options struct {
	URL             string
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
	ConnMaxIdleTime time.Duration
	// ApplicationName is reported to PostgreSQL (pg_stat_activity).
	ApplicationName string
}

// DB is the pool every module's store uses.
type DB struct {
	*bun.DB
}

// Open creates the pool. It does not connect: use Ping to check the server.
func Open(opts Options) (*DB, error) {
	cfg, err := pgx.ParseConfig(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("db: parse database url: %w", redactErr(err))
	}
	if opts.ApplicationName != "" {
		if cfg.RuntimeParams == nil {
			cfg.RuntimeParams = map[string]string{}
		}
		if _, set := cfg.RuntimeParams["application_name"]; !set {
			cfg.RuntimeParams["application_name"] = opts.ApplicationName
		}
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	// bun writes its arguments into the SQL text, so nearly every statement
	// is new to the server: preparing and caching each one (pgx's default)
	// costs a round trip and a cache eviction per query. The simple protocol
	// sends it in one. A URL may still choose: default_query_exec_mode=….
	if !strings.Contains(opts.URL, "default_query_exec_mode") {
		cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	}
	sqldb := stdlib.OpenDB(*cfg)
	if opts.MaxOpenConns > 0 {
		sqldb.SetMaxOpenConns(opts.MaxOpenConns)
	}
	if opts.MaxIdleConns >= 0 {
		sqldb.SetMaxIdleConns(opts.MaxIdleConns)
	}
	sqldb.SetConnMaxLifetime(opts.ConnMaxLifetime)
	sqldb.SetConnMaxIdleTime(opts.ConnMaxIdleTime)
	return &DB{DB: bun.NewDB(sqldb, pgdialect.New())}, nil
}

// Ping checks that the server answers.
func (d *DB) Ping(ctx context.Context) error {
	return d.PingContext(ctx)
}

// InTx runs fn in a transaction, committing when it returns nil and
// rolling back otherwise (including on panic). (bun's own RunInTx, which
// takes transaction options, stays available so *DB is a bun.IDB.)
func (d *DB) InTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return d.RunInTx(ctx, &sql.TxOptions{}, fn)
}

// Unique-violation and friends, by SQLSTATE.
const (
	CodeUniqueViolation     = "23505"
	CodeForeignKeyViolation = "23503"
	CodeCheckViolation      = "23514"
	CodeNotNullViolation    = "23502"
	codeDuplicateDatabase   = "42P04"
	codeInvalidCatalogName  = "3D000"
)

// PgError returns the PostgreSQL error in err's chain, if any.
func PgError(err error) (*pgconn.PgError, bool) {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg, true
	}
	return nil, false
}

// IsUniqueViolation reports whether err is a unique-constraint violation,
// optionally of the named constraint.
func IsUniqueViolation(err error, constraint ...string) bool {
	pg, ok := PgError(err)
	if !ok || pg.Code != CodeUniqueViolation {
		return false
	}
	if len(constraint) == 0 {
		return true
	}
	for _, c := range constraint {
		if pg.ConstraintName == c {
			return true
		}
	}
	return false
}

// IsNoRows reports whether err means a query found nothing.
func IsNoRows(err error) bool {
	return errors.Is(err, sql.ErrNoRows)
}

// DatabaseName returns the database a URL names.
func DatabaseName(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("db: parse database url: %w", redactErr(err))
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" {
		return "", errors.New("db: database url names no database")
	}
	return name, nil
}

// WithDatabase returns rawURL pointing at another database on the same server.
func WithDatabase(rawURL, name string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("db: parse database url: %w", redactErr(err))
	}
	u.Path = "/" + name
	u.RawPath = ""
	return u.String(), nil
}

// QuoteIdent quotes a PostgreSQL identifier.
func QuoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// redactErr keeps URL parse errors from echoing a password.
func redactErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return errors.New(ue.Err.Error())
	}
	return err
}
