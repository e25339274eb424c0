// Command bifrost is the Bifrost platform in one binary. This file is the
// composition root: it builds every module from the shared platform and
// hands them to the command line, which runs the roles a process is asked
// for (DESIGN.md §2–§4).
package main

import (
	"context"
	"os"

	"github.com/spf13/cobra"

	"github.com/bifrost-automation/bifrost/platform/app"
	"github.com/bifrost-automation/bifrost/platform/cli"
	"github.com/bifrost-automation/bifrost/web"
)

func main() {
	os.Exit(cli.Execute(context.Background(), cli.Options{
		Modules:  modules,
		Commands: commands,
		Web:      web.FS(),
	}, os.Args[1:]))
}

// modules builds the domain modules. Each receives the platform and the
// small interfaces it needs from other modules, wired here by hand.
func modules(p *app.Platform) ([]app.Module, error) {
	return []app.Module{}, nil
}

// commands returns the subcommands modules contribute.
func commands(open app.Open) []*cobra.Command {
	return nil
}
