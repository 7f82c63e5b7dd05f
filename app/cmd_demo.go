package app

import (
	"context"
	"errors"
	"fmt"
	"github.com/shardkeeper/shardkeeper/internal/words"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/shardkeeper/shardkeeper/agent"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/agent/ledger"
	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/app/demo"
	"github.com/shardkeeper/shardkeeper/hub/manifest"
	"github.com/shardkeeper/shardkeeper/hub/server"
	"github.com/shardkeeper/shardkeeper/hub/shard"
)

type demoOptions struct {
	dir      string
	keep     bool
	files    int
	budget   string
	listen   string
	headless bool
	interval time.Duration
}

func newDemoCmd(g *globals) *cobra.Command {
	var o demoOptions
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole system on this machine: a demo archive, its hub, and you as a donor",
		Long: `Make a small demo collection from documentation your system ships, start a
hub on loopback that serves it as one shard, join it as a donor with a small
budget, and open the desktop app. Everything stays on this machine and is
removed on exit (unless --keep).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDemo(cmd.Context(), g, o, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.dir, "dir", "", "folder for the demo's hub, collection and donor (default: a new temporary folder)")
	f.BoolVar(&o.keep, "keep", false, "keep the demo folder on exit")
	f.IntVar(&o.files, "files", 300, "number of files in the demo collection")
	f.StringVar(&o.budget, "budget", "", "the demo donor's budget (default: 40% of the collection)")
	f.StringVar(&o.listen, "listen", "127.0.0.1:0", "address of the demo hub")
	f.BoolVar(&o.headless, "headless", false, "run without the desktop app (print status instead)")
	f.DurationVar(&o.interval, "interval", 30*time.Second, "time between the demo agent's fill cycles")
	return cmd
}

func runDemo(ctx context.Context, g *globals, o demoOptions, out io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	dir := o.dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "shardkeeper-demo-")
		if err != nil {
			return fmt.Errorf("create a demo folder: %w", err)
		}
		dir = tmp
		if !o.keep {
			defer os.RemoveAll(dir)
		}
	}
	collection := filepath.Join(dir, "collection")
	files, size, err := demo.Make(collection, o.files, 256<<10, demo.Sources)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Demo collection: %s, %s in %s\n", words.Count(int64(files), "file", "files"), agent.FormatSize(size), collection)

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("start the demo hub on %s: %w", o.listen, err)
	}
	hubURL := "http://" + ln.Addr().String()
	hubData := filepath.Join(dir, "hub")
	entries, err := manifest.FromDir(collection, hubURL+"/origin")
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(hubData, "shards.json")); errors.Is(err, os.ErrNotExist) {
		if _, err := shard.Build(ctx, entries, shard.Options{DataDir: hubData, Git: annex.Git{Bin: g.tools.Git}}); err != nil {
			return err
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the shardkeeper program for the demo hub's push audit: %w", err)
	}
	srv, err := server.New(server.Config{
		DataDir: hubData, OriginDir: collection, PublicURL: hubURL,
		Git: annex.Git{Bin: g.tools.Git}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		AuditHook: exe, // this binary answers `audit-hook` like shardhub
	})
	if err != nil {
		return err
	}
	httpSrv := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go httpSrv.Serve(ln)
	defer httpSrv.Close()
	fmt.Fprintf(out, "Demo hub: %s (data in %s)\n", hubURL, hubData)

	h := home.Home{Dir: filepath.Join(dir, "donor")}
	if err := joinDemoDonor(ctx, g, h, o, hubURL, dir, int64(files), size); err != nil {
		return err
	}
	if err := startAgent(ctx, g, h, o.interval); err != nil {
		return err
	}
	fmt.Fprintf(out, "Demo donor: home %s\nTry: shardkeeper --home %s status\n", h.Dir, h.Dir)

	client := agentClient(h)
	if o.headless {
		return watchStatus(ctx, client, out)
	}
	return RunGUI(client, GUIOptions{Title: "Shardkeeper — demo", AgentInProcess: true})
}

// joinDemoDonor joins the demo donor to the demo hub, unless an earlier run
// with --dir already did.
func joinDemoDonor(ctx context.Context, g *globals, h home.Home, o demoOptions, hubURL, dir string, files, size int64) error {
	if _, err := h.LoadConfig(); !errors.Is(err, home.ErrNotJoined) {
		return nil
	}
	// 40% of the collection, plus what the budget also counts: the
	// shard's repository (about a megabyte here) and the room the agent
	// keeps for it to grow.
	budget := size*4/10 + 1<<20 + ledger.GrowthRoom(files, files*ledger.AnnexIndexPerFile, 0, 4096)
	if o.budget != "" {
		var err error
		if budget, err = agent.ParseSize(o.budget); err != nil {
			return fmt.Errorf("--budget: %w", err)
		}
	}
	_, err := agent.Join(ctx, h, g.tools, agent.JoinRequest{
		Hub: hubURL, Storage: filepath.Join(dir, "storage"), BudgetBytes: budget, Name: "demo donor",
	}, time.Now)
	return err
}

// watchStatus prints a line whenever the agent's status changes, until ctx
// ends.
func watchStatus(ctx context.Context, api control.API, out io.Writer) error {
	last := ""
	for {
		if st, err := api.Status(ctx); err == nil {
			line := fmt.Sprintf("%s: protecting %s, %s of %s", st.State, words.Count(st.FilesProtected, "file", "files"),
				agent.FormatSize(st.BytesHeld), agent.FormatSize(st.BudgetBytes))
			if line != last {
				fmt.Fprintln(out, line)
				last = line
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
}
