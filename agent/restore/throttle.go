package restore

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/webproxy"
)

// ErrPaused ends an upload the donor paused.
var ErrPaused = errors.New("paused by the donor; the upload goes on after resume")

// Policy is what an upload must obey now: the bytes per second (0:
// unlimited) and whether the donor paused.
type Policy func() (bytesPerSec int64, paused bool)

// throttled reads an upload's body at the donor's rate, re-reading the
// policy every PolicyEvery (the donor may change the limit or pause in
// the middle of a big file), and tells progress.
type throttled struct {
	ctx      context.Context
	r        io.Reader
	lim      *webproxy.Limiter
	policy   Policy
	every    time.Duration
	checked  time.Time
	done     int64
	progress func(int64)
}

func newThrottled(ctx context.Context, r io.Reader, policy Policy, progress func(int64)) *throttled {
	t := &throttled{ctx: ctx, r: r, lim: webproxy.NewLimiter(0), policy: policy, every: 2 * time.Second, progress: progress}
	return t
}

func (t *throttled) Read(p []byte) (int, error) {
	if now := time.Now(); t.policy != nil && now.Sub(t.checked) >= t.every {
		t.checked = now
		rate, paused := t.policy()
		if paused {
			return 0, ErrPaused
		}
		if rate != t.lim.Rate() {
			t.lim.SetRate(rate)
		}
	}
	if r := t.lim.Rate(); r > 0 {
		// Small reads keep a slow rate smooth.
		p = p[:min(len(p), int(max(r/8, 1024)))]
	}
	if err := t.lim.Wait(t.ctx, len(p)); err != nil {
		return 0, err
	}
	n, err := t.r.Read(p)
	t.done += int64(n)
	if n > 0 && t.progress != nil {
		t.progress(t.done)
	}
	return n, err
}
