package app

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/shardkeeper/shardkeeper/agent"
	"github.com/shardkeeper/shardkeeper/agent/home"
)

func newAgentCmd(g *globals) *cobra.Command {
	var untilIdle bool
	var jobs int
	var interval time.Duration
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "Run the agent that fetches files and reports to the hub (headless)",
		Long: `Run the agent in the foreground: it fetches the files of your shard that
most need copies, within your budget, reports what it holds to the hub, and
answers the desktop app and the CLI on a local control socket.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := g.resolveHome()
			if err != nil {
				return err
			}
			logger, closeLog, err := openLog(h, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			defer closeLog()
			a, err := agent.New(h, agent.Options{Tools: g.tools, Logger: logger, Jobs: jobs, Interval: interval})
			if err != nil {
				return err
			}
			return a.Run(cmd.Context(), untilIdle)
		},
	}
	cmd.Flags().BoolVar(&untilIdle, "until-idle", false, "run one fill cycle, report to the hub, and exit")
	cmd.Flags().IntVarP(&jobs, "jobs", "J", 4, "parallel downloads")
	cmd.Flags().DurationVar(&interval, "interval", 10*time.Minute, "time between fill cycles")
	return cmd
}

// openLog logs to the home's log file and to w. Structured (slog) so the
// UI and support can read it; tokens are never passed to the logger.
func openLog(h home.Home, w io.Writer) (*slog.Logger, func(), error) {
	if err := os.MkdirAll(filepath.Dir(h.LogPath()), 0o700); err != nil {
		return nil, nil, fmt.Errorf("create log folder: %w", err)
	}
	f, err := os.OpenFile(h.LogPath(), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("open log: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(io.MultiWriter(f, w), &slog.HandlerOptions{Level: slog.LevelInfo}))
	return logger, func() { f.Close() }, nil
}
