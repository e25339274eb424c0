package db_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/bifrost-automation/bifrost/migrations"
	"github.com/bifrost-automation/bifrost/platform/db"
	"github.com/bifrost-automation/bifrost/platform/testenv"
)

func open(t *testing.T, url string) *db.DB {
	t.Helper()
	d, err := db.Open(db.Options{URL: url, MaxOpenConns: 5})
	require.NoError(t, err)
	t.Cleanup(func() { d.Close() })
	return d
}

func hasExtension(t *testing.T, d *db.DB, name string) bool {
	t.Helper()
	var n int
	require.NoError(t, d.NewRaw("SELECT count(*) FROM pg_extension WHERE extname = ?", name).Scan(context.Background(), &n))
	return n == 1
}

func TestMigrationsUpDownUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testenv.EmptyDatabase(t)
	d := open(t, url)
	m, err := db.NewMigrator(d, migrations.FS)
	require.NoError(t, err)

	applied, err := m.Up(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, applied)
	require.True(t, hasExtension(t, d, "citext"))
	pending, err := m.Pending(ctx)
	require.NoError(t, err)
	require.Empty(t, pending)

	again, err := m.Up(ctx)
	require.NoError(t, err)
	require.Empty(t, again, "a second up applies nothing")

	rolled, err := m.Down(ctx)
	require.NoError(t, err)
	require.Len(t, rolled, len(applied))
	require.False(t, hasExtension(t, d, "citext"), "down undoes what up did")
	st, err := m.Status(ctx)
	require.NoError(t, err)
	for _, s := range st {
		require.False(t, s.Applied, s.Name)
	}

	reapplied, err := m.Up(ctx)
	require.NoError(t, err)
	require.Equal(t, applied, reapplied)
	require.True(t, hasExtension(t, d, "citext"))
}

// Every migration must be reversible: up, down and up again over the whole set,
// one group at a time, leaves the same schema as a single up.
func TestEveryMigrationHasADown(t *testing.T) {
	t.Parallel()
	ms, err := migrations.FS.ReadDir(".")
	require.NoError(t, err)
	ups, downs := map[string]bool{}, map[string]bool{}
	for _, e := range ms {
		n := e.Name()
		switch {
		case len(n) > 7 && n[len(n)-7:] == ".up.sql":
			ups[n[:len(n)-7]] = true
		case len(n) > 9 && n[len(n)-9:] == ".down.sql":
			downs[n[:len(n)-9]] = true
		}
	}
	require.NotEmpty(t, ups)
	for n := range ups {
		require.True(t, downs[n], "migration %s has no down file", n)
	}
}

func TestConcurrentMigrateUpIsSafe(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testenv.EmptyDatabase(t)
	const n = 4
	var wg sync.WaitGroup
	results := make([][]string, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Go(func() {
			d := open(t, url)
			m, err := db.NewMigrator(d, migrations.FS)
			if err != nil {
				errs[i] = err
				return
			}
			results[i], errs[i] = m.Up(ctx)
		})
	}
	wg.Wait()
	total := 0
	for i := 0; i < n; i++ {
		require.NoError(t, errs[i])
		total += len(results[i])
	}
	ms, err := db.NewMigrator(open(t, url), migrations.FS)
	require.NoError(t, err)
	st, err := ms.Status(ctx)
	require.NoError(t, err)
	require.Equal(t, len(st), total, "each migration applied exactly once across the concurrent runs")
}

func TestEnsureDatabaseCreatesOnce(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	url := testenv.UnusedDatabase(t)
	var wg sync.WaitGroup
	created := make([]bool, 3)
	errs := make([]error, 3)
	for i := range created {
		wg.Go(func() { created[i], errs[i] = db.EnsureDatabase(ctx, url) })
	}
	wg.Wait()
	count := 0
	for i := range created {
		require.NoError(t, errs[i])
		if created[i] {
			count++
		}
	}
	require.Equal(t, 1, count, "exactly one caller creates the database")
	require.NoError(t, open(t, url).Ping(ctx))
	again, err := db.EnsureDatabase(ctx, url)
	require.NoError(t, err)
	require.False(t, again)
}

func TestTestDatabaseIsMigratedAndIsolated(t *testing.T) {
	t.Parallel()
	a, b := testenv.NewDB(t), testenv.NewDB(t)
	require.NotEqual(t, a.Name, b.Name)
	require.True(t, hasExtension(t, a.DB, "citext"))
	ctx := context.Background()
	_, err := a.ExecContext(ctx, "CREATE TABLE only_in_a (id int)")
	require.NoError(t, err)
	var n int
	require.NoError(t, b.NewRaw("SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'").Scan(ctx, &n))
	require.Zero(t, n)
}

func TestRunInTxRollsBackOnError(t *testing.T) {
	t.Parallel()
	d := testenv.NewDB(t)
	ctx := context.Background()
	_, err := d.ExecContext(ctx, "CREATE TABLE items (name text UNIQUE)")
	require.NoError(t, err)
	err = d.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO items VALUES ('a')"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO items VALUES ('a')")
		return err
	})
	require.Error(t, err)
	require.True(t, db.IsUniqueViolation(err))
	var n int
	require.NoError(t, d.NewRaw("SELECT count(*) FROM items").Scan(ctx, &n))
	require.Zero(t, n, "the first insert was rolled back with the second")
}
