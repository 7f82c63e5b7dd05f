// Package app wires the shardkeeper binary: subcommands, logging and the
// lifecycle of the agent and the desktop app.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/shardkeeper/shardkeeper/agent"
	"github.com/shardkeeper/shardkeeper/agent/home"
	hubcli "github.com/shardkeeper/shardkeeper/hub/cli"
	"github.com/shardkeeper/shardkeeper/internal/version"
)

// globals are the flags every subcommand shares.
type globals struct {
	home       string
	suggestHub string // the hub the first-run wizard offers
	tools      agent.Tools
}

func (g *globals) resolveHome() (home.Home, error) { return home.Resolve(g.home) }

// Main runs the shardkeeper command line and returns the exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		fmt.Fprintf(stderr, "shardkeeper: %s\n", err)
		return 1
	}
	return 0
}

// exitError ends the program with a status and no further message (the
// command already said what it had to).
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	g := &globals{tools: agent.Tools{Git: "git", GitAnnex: "git-annex"}}
	root := &cobra.Command{
		Use:   "shardkeeper",
		Short: "Donate disk space to keep public archives alive",
		Long: `Shardkeeper holds a slice of a public archive on your disk, so that the
archive survives even if its own servers fail. Run it without arguments to
open the desktop app, or use the commands below.`,
		Version:       version.String(),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runGUICommand(cmd.Context(), g)
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVar(&g.home, "home", "", "folder with this donor's state (default $"+home.EnvVar+" or the user config folder)")
	root.AddCommand(
		newJoinCmd(g),
		newAgentCmd(g),
		newStatusCmd(g),
		newPauseCmd(g, true),
		newPauseCmd(g, false),
		newBudgetCmd(g),
		newFilesCmd(g),
		newReleaseCmd(g),
		newLeaveCmd(g),
		newLogCmd(g),
		newSettingsCmd(g),
		newGUICmd(g),
		newDemoCmd(g),
		newServiceCmd(g),
		newVerifyCmd(g),
		newStorageCmd(g),
		newShardsCmd(g),
		// The demo's hub audits pushes by running this binary as its hook.
		hubcli.AuditHookCommand(),
	)
	return root
}
