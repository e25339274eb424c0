package secrets

import (
	"fmt"
	"sort"
	"strings"

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
	root.AddCommand(&cobra.Command{
		Use:   "status",
		Short: "Check that the configured master keys open every data key",
		Long: "status lists the data keys by the master key that wraps them and unwraps each with the configured\n" +
			"secrets.master_key and secrets.previous_master_keys (no secret is decrypted). It exits 1 when a data\n" +
			"key cannot be opened: the secrets encrypted under it would be unreadable.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, closeFn, err := open(cmd)
			if err != nil {
				return err
			}
			defer closeFn()
			st, err := v.Check(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			ids := make([]string, 0, len(st.ByMaster))
			for id := range st.ByMaster {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			fmt.Fprintf(out, "current master key: %s\n", v.ring.CurrentID())
			for _, id := range ids {
				role := "not current"
				if id == v.ring.CurrentID() {
					role = "current"
				}
				fmt.Fprintf(out, "%d data keys wrapped by master key %s (%s)\n", st.ByMaster[id], id, role)
			}
			if len(st.Unreadable) > 0 {
				return fmt.Errorf("%d data keys do not open with the configured master keys: %s", len(st.Unreadable), strings.Join(st.Unreadable, ", "))
			}
			fmt.Fprintln(out, "every data key opens with the configured master keys")
			return nil
		},
	})
	return []*cobra.Command{root}
}
