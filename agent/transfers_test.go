package agent

import (
	"context"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// TestStatusListsParallelTransfers: while files come slowly with -J 3,
// status (over the control socket, as `status --json` and the tray read
// it) lists the downloads under way with their file, size, bytes done and
// a speed, which the tray's "Fetching 3 files (4.1 MB/s)" is made of.
func TestStatusListsParallelTransfers(t *testing.T) {
	t.Parallel()
	const size = 2 << 20
	w := newWorld(t, 3, func(int) int { return size })
	w.origin.set(func(o *origin) { o.rate = 256 << 10 }) // about 8 s a file
	h := w.join("donor", 4*size)
	a := newAgent(t, h, Options{Jobs: 3})
	runAgent(t, a)
	c := control.NewLocalClient(h.SocketPath(), h.EndpointPath())

	var last control.Status
	waitFor(t, 60*time.Second, "several downloads with progress in status", func() bool {
		st, err := c.Status(context.Background())
		if err != nil {
			return false
		}
		last = st
		moving := 0
		for _, tr := range st.Transfers {
			if tr.File == "" || tr.TotalBytes != size {
				t.Fatalf("transfer without its file or size: %+v", tr)
			}
			if tr.DoneBytes > 0 && tr.BytesPerSec > 0 {
				moving++
			}
		}
		return st.State == control.StateFetching && len(st.Transfers) >= 2 && moving >= 2
	})
	t.Logf("status: %s; %d transfers: %+v", last.Message, len(last.Transfers), last.Transfers)
}
