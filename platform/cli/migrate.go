package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/bifrost-automation/bifrost/migrations"
	"github.com/bifrost-automation/bifrost/platform/db"
)

func (c *commands) migrateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply, roll back or list database migrations",
		Long: "migrate manages the PostgreSQL schema. `up` creates the database when it does not exist.\n" +
			"Several `migrate up` runs at once are safe: they take turns on a PostgreSQL advisory lock.",
	}
	cmd.AddCommand(
		&cobra.Command{
			Use: "up", Short: "Create the database if needed and apply every pending migration", Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				return c.withMigrator(cmd, true, func(ctx context.Context, m *db.Migrator) error {
					applied, err := m.Up(ctx)
					for _, name := range applied {
						fmt.Fprintln(cmd.OutOrStdout(), "applied", name)
					}
					if err != nil {
						return err
					}
					if len(applied) == 0 {
						fmt.Fprintln(cmd.OutOrStdout(), "database is up to date")
					}
					return nil
				})
			},
		},
		&cobra.Command{
			Use: "down", Short: "Roll back the last group of migrations applied together", Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				return c.withMigrator(cmd, false, func(ctx context.Context, m *db.Migrator) error {
					rolled, err := m.Down(ctx)
					for _, name := range rolled {
						fmt.Fprintln(cmd.OutOrStdout(), "rolled back", name)
					}
					if err != nil {
						return err
					}
					if len(rolled) == 0 {
						fmt.Fprintln(cmd.OutOrStdout(), "nothing to roll back")
					}
					return nil
				})
			},
		},
		&cobra.Command{
			Use: "status", Short: "List migrations and whether each is applied", Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				return c.withMigrator(cmd, false, func(ctx context.Context, m *db.Migrator) error {
					st, err := m.Status(ctx)
					if err != nil {
						return err
					}
					w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
					fmt.Fprintln(w, "MIGRATION\tSTATUS\tGROUP\tAPPLIED AT")
					pending := 0
					for _, s := range st {
						status, group, at := "pending", "-", "-"
						if s.Applied {
							status = "applied"
							group = fmt.Sprint(s.GroupID)
							at = s.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
						} else {
							pending++
						}
						fmt.Fprintf(w, "%s_%s\t%s\t%s\t%s\n", s.Name, s.Comment, status, group, at)
					}
					if err := w.Flush(); err != nil {
						return err
					}
					fmt.Fprintf(cmd.OutOrStdout(), "%d applied, %d pending\n", len(st)-pending, pending)
					return nil
				})
			},
		},
	)
	return cmd
}

func (c *commands) withMigrator(cmd *cobra.Command, create bool, fn func(ctx context.Context, m *db.Migrator) error) error {
	loaded, err := c.load(cmd)
	if err != nil {
		return err
	}
	cfg := loaded.Config
	log := c.logger(loaded)
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if create {
		if err := retry(ctx, log, cfg.StartupTimeout.D(), "PostgreSQL", func(ctx context.Context) error {
			created, err := db.EnsureDatabase(ctx, cfg.Database.URL)
			if created {
				fmt.Fprintln(cmd.OutOrStdout(), "created database", mustDBName(cfg.Database.URL))
			}
			return err
		}); err != nil {
			return err
		}
	}
	d, err := db.Open(dbOptions(cfg, "migrate"))
	if err != nil {
		return err
	}
	defer d.Close()
	if err := retry(ctx, log, cfg.StartupTimeout.D(), "PostgreSQL", d.Ping); err != nil {
		if missingDatabase(err) {
			return fmt.Errorf("database %q does not exist: run `bifrost migrate up`, which creates it", mustDBName(cfg.Database.URL))
		}
		return err
	}
	m, err := db.NewMigrator(d, migrations.FS)
	if err != nil {
		return err
	}
	return fn(ctx, m)
}
