package testenv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bifrost-automation/bifrost/migrations"
	"github.com/bifrost-automation/bifrost/platform/db"
)

// DB is a test's own database, a copy of the migrated template.
type DB struct {
	*db.DB
	Name string
	URL  string
}

// templateName names the migrated template after the migrations' content,
// so a changed migration gets a fresh template and never a stale one.
var templateName = sync.OnceValue(func() string {
	h := sha256.New()
	entries, _ := fs.ReadDir(migrations.FS, ".")
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, n := range names {
		b, _ := fs.ReadFile(migrations.FS, n)
		h.Write([]byte(n))
		h.Write(b)
	}
	return "bifrost_tpl_" + hex.EncodeToString(h.Sum(nil))[:12]
})

// templateLock serializes template creation across test processes (go test
// runs packages in parallel).
const templateLock = int64(0x6266747374706c) // "bftstpl"

var ensureTemplate = sync.OnceValue(func() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, DatabaseURL())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", templateLock); err != nil {
		return err
	}
	defer conn.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", templateLock) //nolint:errcheck

	name := templateName()
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	// Build under a temporary name and rename when complete, so a crashed
	// run never leaves a half-migrated template behind.
	building := name + "_build"
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+db.QuoteIdent(building)+" WITH (FORCE)"); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+db.QuoteIdent(building)); err != nil {
		return err
	}
	u, err := db.WithDatabase(DatabaseURL(), building)
	if err != nil {
		return err
	}
	d, err := db.Open(db.Options{URL: u, MaxOpenConns: 2})
	if err != nil {
		return err
	}
	m, err := db.NewMigrator(d, migrations.FS)
	if err == nil {
		_, err = m.Up(ctx)
	}
	d.Close()
	if err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+db.QuoteIdent(building)+" RENAME TO "+db.QuoteIdent(name)); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+db.QuoteIdent(name)+" WITH IS_TEMPLATE true"); err != nil {
		return err
	}
	// Templates of older migration sets are no longer useful.
	rows, err := conn.Query(ctx, "SELECT datname FROM pg_database WHERE datname LIKE 'bifrost_tpl_%' AND datname <> $1", name)
	if err != nil {
		return err
	}
	old, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, o := range old {
		_, _ = conn.Exec(ctx, "ALTER DATABASE "+db.QuoteIdent(o)+" WITH IS_TEMPLATE false")
		_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+db.QuoteIdent(o))
	}
	return nil
})

// NewDB creates a database for the test from the migrated template and
// drops it when the test ends.
func NewDB(t testing.TB) *DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, DatabaseURL())
	if err != nil {
		unreachable(t, "PostgreSQL", DatabaseURL(), err)
	}
	defer conn.Close(ctx)
	if err := ensureTemplate(); err != nil {
		t.Fatalf("testenv: build the migrated template database: %v", err)
	}

	name := "bifrost_test_" + uniqueName(t)
	create := "CREATE DATABASE " + db.QuoteIdent(name) + " TEMPLATE " + db.QuoteIdent(templateName())
	for attempt := 0; ; attempt++ {
		_, err = conn.Exec(ctx, create)
		// 55006: the template is being copied or connected to by someone
		// else right now; wait for them.
		if pg, ok := db.PgError(err); ok && pg.Code == "55006" && attempt < 50 {
			time.Sleep(time.Duration(20+attempt*10) * time.Millisecond)
			continue
		}
		break
	}
	if err != nil {
		t.Fatalf("testenv: create database %s: %v", name, err)
	}
	t.Cleanup(func() { dropDatabase(t, name) })

	u, err := db.WithDatabase(DatabaseURL(), name)
	if err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(db.Options{URL: u, MaxOpenConns: 10, MaxIdleConns: 2, ApplicationName: "bifrost test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return &DB{DB: d, Name: name, URL: u}
}

// EmptyDatabase creates an empty database (no migrations) for the test and
// returns its URL; it is dropped when the test ends.
func EmptyDatabase(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, DatabaseURL())
	if err != nil {
		unreachable(t, "PostgreSQL", DatabaseURL(), err)
	}
	defer conn.Close(ctx)
	name := "bifrost_test_" + uniqueName(t)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+db.QuoteIdent(name)); err != nil {
		t.Fatalf("testenv: create database %s: %v", name, err)
	}
	t.Cleanup(func() { dropDatabase(t, name) })
	u, err := db.WithDatabase(DatabaseURL(), name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// UnusedDatabase returns the URL of a database that does not exist yet and
// drops it when the test ends, for tests of database creation.
func UnusedDatabase(t testing.TB) string {
	t.Helper()
	name := "bifrost_test_" + uniqueName(t)
	t.Cleanup(func() { dropDatabase(t, name) })
	u, err := db.WithDatabase(DatabaseURL(), name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func dropDatabase(t testing.TB, name string) {
	ctx, cancel := cleanupContext()
	defer cancel()
	conn, err := pgx.Connect(ctx, DatabaseURL())
	if err != nil {
		t.Errorf("testenv: drop database %s: %v", name, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+db.QuoteIdent(name)+" WITH (FORCE)"); err != nil {
		t.Errorf("testenv: drop database %s: %v", name, err)
	}
}
