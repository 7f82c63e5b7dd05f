package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/shardkeeper/shardkeeper/agent"
	"github.com/shardkeeper/shardkeeper/agent/control"
)

func newLogCmd(g *globals) *cobra.Command {
	var n int
	var follow bool
	cmd := &cobra.Command{
		Use:   "log [-n N] [-f]",
		Short: "Show the agent's log (what it fetched, gave back, skipped, and why)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := g.resolveHome()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			var lines []string
			err = orOffline(cmd.Context(), h, askTimeout, func(ctx context.Context, c *control.Client) (err error) {
				lines, err = c.LogTail(ctx, n)
				return err
			}, func() (err error) {
				lines, err = agent.TailFile(h.LogPath(), n)
				return err
			})
			if err != nil {
				return err
			}
			for _, l := range lines {
				fmt.Fprintln(out, l)
			}
			if !follow {
				return nil
			}
			return followFile(cmd.Context(), h.LogPath(), out)
		},
	}
	cmd.Flags().IntVarP(&n, "lines", "n", 20, "how many of the last lines to show")
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep showing new lines (Ctrl-C ends)")
	return cmd
}

// followFile prints what is appended to path until ctx ends, reopening it
// when the log rotates.
func followFile(ctx context.Context, path string, out io.Writer) error {
	f, err := os.Open(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	var pos int64
	if f != nil {
		pos, _ = f.Seek(0, io.SeekEnd)
	}
	buf := make([]byte, 64<<10)
	for {
		select {
		case <-ctx.Done():
			if f != nil {
				f.Close()
			}
			return nil
		case <-time.After(250 * time.Millisecond):
		}
		if info, err := os.Stat(path); err == nil && (f == nil || info.Size() < pos) {
			if f != nil {
				f.Close() // rotated: the new file starts at zero
			}
			if f, err = os.Open(path); err != nil {
				f = nil
				continue
			}
			pos = 0
		}
		if f == nil {
			continue
		}
		for {
			m, err := f.ReadAt(buf, pos)
			if m > 0 {
				out.Write(buf[:m])
				pos += int64(m)
			}
			if err != nil || m == 0 {
				break
			}
		}
	}
}
