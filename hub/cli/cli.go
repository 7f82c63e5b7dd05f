// Package cli is the shardhub command line. It lives outside package main
// so the commands can be tested end to end.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/shardkeeper/shardkeeper/internal/version"
)

// Main runs shardhub with the process's arguments; SIGINT and SIGTERM
// cancel the context, which shuts serve down gracefully.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
}

// Run executes one command and returns the exit code. Errors are printed as
// one line, "shardhub: <message>", and never with usage or a stack trace.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(stderr, "shardhub: internal error: %v (please report this)\n", p)
			code = 2
		}
	}()
	root := newRoot()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintf(stderr, "shardhub: %s\n", oneLine(err.Error()))
		var missing errMissing
		if errors.As(err, &missing) {
			return ExitMissing
		}
		return 1
	}
	return 0
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "shardhub",
		Short: "The archive's side of Shardkeeper",
		Long: `shardhub cuts an archive's collection into shards (git-annex repositories
whose content is downloadable from the archive over HTTP), registers the
volunteers who hold copies, serves the shards over git smart HTTP, and
reports how many volunteer copies every file has.`,
		Example: `  shardhub build collection.csv --out /srv/shardhub
  shardhub serve --data /srv/shardhub --listen 0.0.0.0:8080 --public-url https://archive.example/shardhub
  shardhub health --data /srv/shardhub`,
		Version:       version.String(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("shardhub version {{.Version}}\n")
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%w (see '%s --help')", err, c.CommandPath())
	})
	root.AddCommand(newBuildCmd(), newServeCmd(), newHealthCmd(), newChallengeCmd(), newFiredrillCmd(), newRestoreCmd(), newAuditHookCmd(), newCompactCmd(), newShardsCmd())
	return root
}

// oneLine joins a multi-line message (git's stderr, cobra's hints) into
// one line.
func oneLine(s string) string {
	var parts []string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			parts = append(parts, line)
		}
	}
	return strings.Join(parts, "; ")
}
