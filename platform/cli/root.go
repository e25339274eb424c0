// Package cli is the `bifrost` command line: serve, migrate, version and
// config print, plus the commands modules contribute. It assembles the
// platform for each command; main.go supplies the modules.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bifrost-automation/bifrost/platform/app"
	"github.com/bifrost-automation/bifrost/platform/config"
	"github.com/bifrost-automation/bifrost/platform/logging"
)

// Options wires the command line to the modules.
type Options struct {
	Modules  app.Factory
	Commands app.CommandFactory
	// Web is the built UI, when the binary embeds it.
	Web WebFS
	// Environ overrides the process environment (tests); nil uses os.Environ.
	Environ []string
	Stdout  io.Writer
	Stderr  io.Writer
}

// flagKeys maps command-line flags to the config keys they set. Flags win
// over the environment, which wins over the file.
var flagKeys = map[string]string{
	"log-level":  "log.level",
	"log-format": "log.format",
	"http-addr":  "http.addr",
	"roles":      "roles",
}

// NewRoot builds the `bifrost` command.
func NewRoot(opts Options) *cobra.Command {
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	root := &cobra.Command{
		Use:   "bifrost",
		Short: "Bifrost: the self-hosted automation platform for MSPs",
		Long: "Bifrost runs Python workflows per client organization, turns them into forms for technicians, " +
			"and records every run.\n\nConfiguration: defaults < --config file < BIFROST_* environment < flags.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(opts.Stdout)
	root.SetErr(opts.Stderr)
	pf := root.PersistentFlags()
	pf.String("config", "", "config file (YAML, shaped like config.example.yaml); default $BIFROST_CONFIG")
	pf.String("log-level", "", "log level: debug, info, warn, error (log.level)")
	pf.String("log-format", "", "log format: json or text (log.format)")

	c := &commands{opts: opts}
	root.AddCommand(c.serveCmd(), c.migrateCmd(), c.versionCmd(), c.configCmd())
	if opts.Commands != nil {
		root.AddCommand(opts.Commands(c.open)...)
	}
	return root
}

// Execute runs the command line and returns the process exit code.
func Execute(ctx context.Context, opts Options, args []string) int {
	root := NewRoot(opts)
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		w := opts.Stderr
		if w == nil {
			w = os.Stderr
		}
		fmt.Fprintln(w, "bifrost: "+strings.ReplaceAll(err.Error(), "\n", "\n  "))
		var ee *exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		return 1
	}
	return 0
}

type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

type commands struct {
	opts Options
}

// load reads the configuration for cmd, with its flags applied.
func (c *commands) load(cmd *cobra.Command) (config.Loaded, error) {
	file, _ := cmd.Flags().GetString("config")
	overrides := map[string]string{}
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if key, ok := flagKeys[f.Name]; ok && f.Changed {
			overrides[key] = f.Value.String()
			if sv, ok := f.Value.(pflag.SliceValue); ok {
				overrides[key] = strings.Join(sv.GetSlice(), ",")
			}
		}
	})
	return config.Load(config.Sources{File: file, Environ: c.opts.Environ, Flags: overrides})
}

// logger builds the process logger and reports what loading noticed.
func (c *commands) logger(l config.Loaded) *slog.Logger {
	log := logging.New(c.opts.Stderr, l.Config.Log.Level, l.Config.Log.Format)
	if l.File != "" {
		log.Debug("config file loaded", "file", l.File)
	}
	for _, w := range l.Warnings {
		log.Warn("config: " + w)
	}
	return log
}
