package db

import (
	"context"
	"fmt"
	"hash/fnv"
	"io/fs"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun/migrate"
)

// migrationLockKey is the PostgreSQL advisory lock that serializes migration
// runs: bun/migrate's own lock is a row that a crashed run leaves behind.
var migrationLockKey = int64(lockKey("bifrost:migrate"))

// MigrationStatus is one migration and whether it is applied.
type MigrationStatus struct {
	Name      string
	Comment   string
	Applied   bool
	GroupID   int64
	AppliedAt time.Time
}

// Migrator applies the embedded migrations to one database.
type Migrator struct {
	db         *DB
	migrations *migrate.Migrations
}

// NewMigrator reads the migration files at the root of fsys.
func NewMigrator(d *DB, fsys fs.FS) (*Migrator, error) {
	ms := migrate.NewMigrations()
	if err := ms.Discover(fsys); err != nil {
		return nil, fmt.Errorf("db: discover migrations: %w", err)
	}
	return &Migrator{db: d, migrations: ms}, nil
}

func (m *Migrator) migrator() *migrate.Migrator {
	return migrate.NewMigrator(m.db.DB, m.migrations, migrate.WithMarkAppliedOnSuccess(true))
}

// Up applies every pending migration and returns their names. Concurrent
// calls from several processes are safe: they take turns.
func (m *Migrator) Up(ctx context.Context) ([]string, error) {
	var applied []string
	err := m.locked(ctx, func(ctx context.Context) error {
		mg := m.migrator()
		if err := mg.Init(ctx); err != nil {
			return fmt.Errorf("db: init migrations table: %w", err)
		}
		group, err := mg.Migrate(ctx)
		if group != nil {
			for _, x := range group.Migrations {
				applied = append(applied, x.String())
			}
		}
		if err != nil {
			return fmt.Errorf("db: migrate up: %w", err)
		}
		return nil
	})
	return applied, err
}

// Down rolls back the last group of migrations applied together and returns
// their names.
func (m *Migrator) Down(ctx context.Context) ([]string, error) {
	var rolled []string
	err := m.locked(ctx, func(ctx context.Context) error {
		mg := m.migrator()
		if err := mg.Init(ctx); err != nil {
			return fmt.Errorf("db: init migrations table: %w", err)
		}
		group, err := mg.Rollback(ctx)
		if group != nil {
			for i := len(group.Migrations) - 1; i >= 0; i-- {
				rolled = append(rolled, group.Migrations[i].String())
			}
		}
		if err != nil {
			return fmt.Errorf("db: migrate down: %w", err)
		}
		return nil
	})
	return rolled, err
}

// Status lists every known migration, oldest first.
func (m *Migrator) Status(ctx context.Context) ([]MigrationStatus, error) {
	mg := m.migrator()
	if err := mg.Init(ctx); err != nil {
		return nil, fmt.Errorf("db: init migrations table: %w", err)
	}
	ms, err := mg.MigrationsWithStatus(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: migration status: %w", err)
	}
	out := make([]MigrationStatus, 0, len(ms))
	for _, x := range ms {
		out = append(out, MigrationStatus{
			Name: x.Name, Comment: x.Comment, Applied: x.IsApplied(),
			GroupID: x.GroupID, AppliedAt: x.MigratedAt,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Pending returns the names of migrations not yet applied.
func (m *Migrator) Pending(ctx context.Context) ([]string, error) {
	st, err := m.Status(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range st {
		if !s.Applied {
			out = append(out, s.Name+"_"+s.Comment)
		}
	}
	return out, nil
}

func (m *Migrator) locked(ctx context.Context, fn func(ctx context.Context) error) error {
	conn, err := m.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("db: migration lock: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", migrationLockKey); err != nil {
		return fmt.Errorf("db: migration lock: %w", err)
	}
	defer func() {
		// A fresh context: the unlock must run even when ctx was cancelled.
		uctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _ = conn.ExecContext(uctx, "SELECT pg_advisory_unlock(?)", migrationLockKey)
	}()
	return fn(ctx)
}

// EnsureDatabase creates the database named by rawURL when it does not
// exist, connecting to the server's maintenance database to do so. It
// reports whether it created it. Two processes doing this at once is fine.
func EnsureDatabase(ctx context.Context, rawURL string) (created bool, err error) {
	name, err := DatabaseName(rawURL)
	if err != nil {
		return false, err
	}
	// Connecting to the database itself is the cheapest check.
	if conn, err := connect(ctx, rawURL); err == nil {
		conn.Close(ctx)
		return false, nil
	} else if pg, ok := PgError(err); !ok || pg.Code != codeInvalidCatalogName {
		return false, fmt.Errorf("db: connect to %s: %w", name, err)
	}

	var conn *pgx.Conn
	for _, maint := range []string{"postgres", "template1"} {
		u, err := WithDatabase(rawURL, maint)
		if err != nil {
			return false, err
		}
		if conn, err = connect(ctx, u); err == nil {
			break
		}
	}
	if conn == nil {
		return false, fmt.Errorf("db: database %q does not exist and the server's maintenance database is unreachable", name)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+QuoteIdent(name)); err != nil {
		// Another process created it first: 42P04, or 23505 when both
		// inserted into pg_database at the same moment.
		if pg, ok := PgError(err); ok && (pg.Code == codeDuplicateDatabase || pg.Code == CodeUniqueViolation) {
			return false, nil
		}
		return false, fmt.Errorf("db: create database %s: %w", name, err)
	}
	return true, nil
}

func connect(ctx context.Context, rawURL string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("db: parse database url: %w", redactErr(err))
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	return pgx.ConnectConfig(ctx, cfg)
}

func lockKey(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	return h.Sum64() >> 1
}
