package secrets

import (
	"fmt"

	"github.com/spf13/cobra"
)

// Open builds the vault for a command; close releases its connections.
type Open func(cmd *cobra.Command) (v *Vault, close func(), err error)

// Commands returns `bifrost secrets rotate-key`.
func Commands(open Open) []*cobra.Command {
	root := &cobra.Command{Use: "secrets", Short: "Manage the encryption of stored secrets"}
	root.AddCommand(&cobra.Command{
		Use:   "rotate-key",
		Short: "Rewrap every data key under the current master key",
		Long: "rotate-key finishes a master key rotation. Beforehand, set the new key as secrets.master_key and keep\n" +
			"the old one in secrets.previous_master_keys, and restart the processes so they know both. rotate-key then\n" +
			"rewraps each organization's data key under the new key; secrets are not rewritten, and the platform keeps\n" +
			"running. Afterwards remove the old key from the configuration: nothing needs it any more.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, closeFn, err := open(cmd)
			if err != nil {
				return err
			}
			defer closeFn()
			res, err := v.Rewrap(cmd.Context())
			if err != nil {
				return err
			}
			stale, err := v.Stale(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "rewrapped %d data keys under master key %s (%d already were)\n", res.Rewrapped, v.ring.CurrentID(), res.Current)
			if stale == 0 {
				fmt.Fprintln(out, "no data key needs a previous master key: remove them from secrets.previous_master_keys")
			} else {
				fmt.Fprintf(out, "%d data keys still use an older master key (changed during the run?): run rotate-key again\n", stale)
			}
			return nil
		},
	})
	return []*cobra.Command{root}
}
