package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/bifrost-automation/bifrost/platform/buildinfo"
)

func (c *commands) versionCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use: "version", Short: "Print the version, commit and build date", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info := buildinfo.Get()
			if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(info)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "bifrost %s\ncommit:  %s\nbuilt:   %s\ngo:      %s\n", info.Version, info.Commit, info.Date, info.GoVersion)
			return nil
		},
	}
	cmd.Flags().Bool("json", false, "print as JSON")
	return cmd
}

func (c *commands) configCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Inspect the configuration"}
	cmd.AddCommand(&cobra.Command{
		Use:   "print",
		Short: "Print the effective configuration as YAML, secrets redacted",
		Long: "print shows the configuration this process would run with: defaults, then the --config file,\n" +
			"then BIFROST_* variables, then flags. The secret key and passwords are redacted.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			loaded, err := c.load(cmd)
			if err != nil {
				return err
			}
			for _, w := range loaded.Warnings {
				fmt.Fprintln(cmd.ErrOrStderr(), "warning: "+w)
			}
			b, err := loaded.Config.YAML()
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(b)
			return err
		},
	})
	return cmd
}
