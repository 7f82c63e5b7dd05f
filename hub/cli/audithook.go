package cli

import (
	"os"

	"github.com/shardkeeper/shardkeeper/hub/audit"
	"github.com/spf13/cobra"
)

// newAuditHookCmd is what the shards' pre-receive hook runs (shardhub
// serve installs the hook). It is hidden: only git calls it.
func newAuditHookCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "audit-hook",
		Short:  "Audit a push (run by the shards' pre-receive hook)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			// RunHook has said why on stderr; git reads only the status.
			if code := audit.RunHook(cmd.Context(), cmd.InOrStdin(), cmd.ErrOrStderr(), os.Getenv); code != 0 {
				os.Exit(code)
			}
			return nil
		},
	}
}

// AuditHookCommand lets another program that embeds a hub (the donor's
// `shardkeeper demo`) answer the hook as shardhub does.
func AuditHookCommand() *cobra.Command { return newAuditHookCmd() }
