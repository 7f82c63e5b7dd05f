package app

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/shardkeeper/shardkeeper/agent"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/agent/logging"
)

func newAgentCmd(g *globals) *cobra.Command {
	var untilIdle bool
	var o agent.Options
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
			cfg, err := h.LoadConfig()
			if err != nil {
				return err
			}
			logger, closer, err := logging.Open(h.LogPath(), cmd.ErrOrStderr(), cfg.Token)
			if err != nil {
				return err
			}
			defer closer.Close()
			o.Tools, o.Logger, o.StartAtLogin = g.tools, logger, startAtLogin(g)
			a, err := agent.New(h, o)
			if err != nil {
				return err
			}
			return a.Run(cmd.Context(), untilIdle)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&untilIdle, "until-idle", false, "run one fill cycle, report to the hub, and exit")
	f.IntVarP(&o.Jobs, "jobs", "J", 4, "parallel downloads")
	f.DurationVar(&o.Interval, "interval", 10*time.Minute, "time between fill cycles")
	f.IntVar(&o.BatchFiles, "batch", 25, "files fetched between two reports to the hub")
	f.Int64Var(&o.BatchBytes, "batch-bytes", 64<<20, "small files: a batch goes on past --batch files until this many bytes (-1: --batch only)")
	f.IntVar(&o.Target, "target-copies", 0, "donor copies wanted per file (default: what the hub says)")
	f.MarkHidden("target-copies")
	f.DurationVar(&o.RestorePollEvery, "restore-poll", 30*time.Second, "how often to ask the hub for files to send back for a restore")
	f.MarkHidden("restore-poll")
	f.DurationVar(&o.RestoreRetryAfter, "restore-retry", 5*time.Minute, "how long a failed restore upload waits before it is tried again")
	f.MarkHidden("restore-retry")
	f.DurationVar(&o.StallAfter, "stall-after", 2*time.Minute, "cancel a download that moves less than 1 KB in this long")
	f.MarkHidden("stall-after")
	return cmd
}

// openAgentLog is the home's rotating log, for an agent run in-process.
func openAgentLog(h home.Home) (*agentLog, error) {
	cfg, _ := h.LoadConfig()
	logger, closer, err := logging.Open(h.LogPath(), nil, cfg.Token)
	if err != nil {
		return nil, err
	}
	return &agentLog{Logger: logger, close: closer.Close}, nil
}
