package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

// CallerFinder turns `--user` and `--org` into the identity a local run
// acts as (the auth and orgs modules, through main.go).
type CallerFinder func(ctx context.Context, email, org string) (Caller, error)

// Open builds the module for a command; close releases its connections.
type Open func(cmd *cobra.Command) (m *Module, find CallerFinder, close func(), err error)

// Commands returns `bifrost workflows list` and `bifrost workflows run`.
func Commands(open Open) []*cobra.Command {
	root := &cobra.Command{Use: "workflows", Short: "List and run the workspace's workflows locally"}

	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "Import the workspace and list its workflows, data providers and load errors",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, _, closeFn, err := open(cmd)
			if err != nil {
				return err
			}
			defer closeFn()
			reg, err := m.discover(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(reg)
			}
			printRegistry(out, reg)
			if len(reg.Errors) > 0 {
				return fmt.Errorf("%d workspace files did not load", len(reg.Errors))
			}
			return nil
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print the registry as JSON")

	var params []string
	var org, user string
	var provider, runJSON bool
	var timeout time.Duration
	run := &cobra.Command{
		Use:   "run NAME",
		Short: "Run a workflow through the runner pool and print its logs and result",
		Long: "run imports the workspace into a runner pool, as a worker does, and runs NAME once with the given inputs,\n" +
			"printing its log lines as they happen (to stderr) and its result (to stdout). It acts as --user (default:\n" +
			"the first platform admin) for --org (default: the global scope), so config, secrets and OAuth calls reach\n" +
			"the real services. The exit code is 0 when the run succeeds.",
		Example: "  bifrost workflows run greet -p name=Ada -p count=3\n  bifrost workflows run list_users --org contoso --user tech@contoso.com",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			inputs, err := parseParams(params)
			if err != nil {
				return err
			}
			m, find, closeFn, err := open(cmd)
			if err != nil {
				return err
			}
			defer closeFn()
			ctx := cmd.Context()
			caller, err := find(ctx, user, org)
			if err != nil {
				return err
			}
			opts := m.PoolOptions()
			opts.WatchInterval = 0
			opts.Concurrency = 1
			pool := NewPool(opts)
			if err := pool.Start(ctx); err != nil {
				return err
			}
			defer pool.Stop()
			m.pool = pool // nested workflows.execute() calls run here too
			if err := pool.WaitLoaded(ctx); err != nil {
				return err
			}
			if err := pool.Err(); err != nil {
				return err
			}
			kind := KindWorkflow
			if provider {
				kind = KindDataProvider
			}
			errOut := cmd.ErrOrStderr()
			res, err := pool.Run(ctx, RunRequest{Kind: kind, Name: args[0], Inputs: inputs, Caller: caller, Timeout: timeout,
				OnLog: func(l LogLine) { printLog(errOut, l) }})
			if err != nil {
				if reg := pool.Registry(); reg != nil && len(reg.Errors) > 0 {
					fmt.Fprintln(errOut, "workspace files that did not load:")
					printErrors(errOut, reg.Errors)
				}
				return err
			}
			return printResult(cmd.OutOrStdout(), errOut, res, runJSON)
		},
	}
	run.Flags().StringArrayVarP(&params, "param", "p", nil, "an input, key=value (repeatable); a value that is JSON (3, true, [1,2], {…}) is passed as such")
	run.Flags().StringVar(&org, "org", "", "the organization to run for: its id or slug (default: global)")
	run.Flags().StringVar(&user, "user", "", "the email of the user to run as (default: the first platform admin)")
	run.Flags().BoolVar(&provider, "data-provider", false, "NAME is a data provider")
	run.Flags().BoolVar(&runJSON, "json", false, "print the whole result as JSON")
	run.Flags().DurationVar(&timeout, "timeout", 0, "stop the run after this long (default: the workflow's timeout_seconds)")
	root.AddCommand(list, run)
	return []*cobra.Command{root}
}

// discover imports the workspace in a separate process.
func (m *Module) discover(ctx context.Context) (*Registry, error) {
	opts := m.PoolOptions()
	if err := opts.absolute(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.CacheDir, 0o755); err != nil {
		return nil, err
	}
	sdk, err := InstallSDK(opts.CacheDir)
	if err != nil {
		return nil, err
	}
	root := opts.Workspace
	py, err := findPython(ctx, opts.Python, sdk, root, opts.CacheDir)
	if err != nil {
		return nil, err
	}
	return py.discover(ctx, root)
}

func parseParams(params []string) (map[string]any, error) {
	out := map[string]any{}
	for _, p := range params {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("-p %q: write key=value", p)
		}
		var parsed any
		if json.Unmarshal([]byte(v), &parsed) == nil && v != "" && !isBareString(v) {
			out[k] = parsed
		} else {
			out[k] = v
		}
	}
	return out, nil
}

// isBareString reports whether v would decode as a JSON string: quoted
// strings stay as written.
func isBareString(v string) bool { return strings.HasPrefix(v, `"`) }

func printRegistry(w io.Writer, reg *Registry) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tNAME\tCATEGORY\tPARAMETERS\tFILE")
	for _, list := range [][]Definition{reg.Workflows, reg.DataProviders} {
		for _, d := range list {
			var ps []string
			for _, p := range d.Parameters {
				s := p.Name + ":" + p.Type
				if p.Required {
					s += "*"
				}
				ps = append(ps, s)
			}
			if d.AcceptsExtra {
				ps = append(ps, "**kwargs")
			}
			kind := "workflow"
			if d.Kind == KindDataProvider {
				kind = "data provider"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s:%d\n", kind, d.Name, d.Category, strings.Join(ps, ", "), d.File, d.Line)
		}
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "\n%d workflows, %d data providers in %d files, imported in %.0f ms\n",
		len(reg.Workflows), len(reg.DataProviders), len(reg.Files), reg.DurationMs)
	if len(reg.Errors) > 0 {
		fmt.Fprintln(w, "\nnot loaded:")
		printErrors(w, reg.Errors)
	}
}

func printErrors(w io.Writer, errs []LoadError) {
	sorted := append([]LoadError(nil), errs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].File < sorted[j].File })
	for _, e := range sorted {
		where := e.Location
		if where == "" {
			where = e.File
		}
		fmt.Fprintf(w, "  %s:%d: %s: %s\n", where, e.Line, e.Type, e.Message)
	}
}

func printLog(w io.Writer, l LogLine) {
	msg := l.Message
	if l.Data != nil {
		if b, err := json.Marshal(l.Data); err == nil {
			msg += " " + string(b)
		}
	}
	fmt.Fprintf(w, "%s %-9s %s\n", l.Time.Format("15:04:05.000"), strings.ToUpper(l.Level), msg)
}

func printResult(out, errOut io.Writer, res *Result, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(errOut, "status: %s in %s\n", res.Status, res.Duration.Round(time.Microsecond))
		switch {
		case res.Error != nil:
			fmt.Fprintf(errOut, "error: %s: %s\n", res.Error.Type, res.Error.Message)
			if res.Error.Detail != "" {
				fmt.Fprintf(errOut, "detail: %s\n", res.Error.Detail)
			}
			for _, f := range res.Error.Errors {
				fmt.Fprintf(errOut, "  %s: %s\n", f.Field, f.Message)
			}
		case res.ResultType == "json":
			var v any
			_ = json.Unmarshal(res.Result, &v)
			b, _ := json.MarshalIndent(v, "", "  ")
			fmt.Fprintln(out, string(b))
		default:
			var s string
			_ = json.Unmarshal(res.Result, &s)
			fmt.Fprintln(out, s)
		}
	}
	if res.Status != StatusSuccess {
		return errRunFailed{status: res.Status}
	}
	return nil
}

// errRunFailed makes the command exit 1 without repeating what it printed.
type errRunFailed struct{ status string }

func (e errRunFailed) Error() string { return "the run ended " + e.status }

// IsRunFailed reports whether err only says a run did not succeed.
func IsRunFailed(err error) bool { return errors.As(err, new(errRunFailed)) }
