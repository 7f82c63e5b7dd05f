package health

import (
	"context"
	"sync"
)

// coalescer runs one refresh of a shard at a time for many callers: a
// caller waits for a refresh that starts after it asked (so it sees its
// own push), and every caller that asks while one runs shares the next
// one. A hundred donors pushing at once cost two or three refreshes, not a
// hundred in a row.
type coalescer struct {
	mu      sync.Mutex
	running bool
	next    *flight // the refresh to start when the running one ends
}

type flight struct {
	done chan struct{}
	err  error
}

// do waits for a run of fn that starts after the call. fn runs without the
// caller's cancellation (others share it); the caller stops waiting when
// its ctx ends.
func (c *coalescer) do(ctx context.Context, fn func(context.Context) error) error {
	c.mu.Lock()
	if c.next == nil {
		c.next = &flight{done: make(chan struct{})}
	}
	f := c.next
	if !c.running {
		c.running = true
		go c.loop(context.WithoutCancel(ctx), fn)
	}
	c.mu.Unlock()
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *coalescer) loop(ctx context.Context, fn func(context.Context) error) {
	c.mu.Lock()
	for c.next != nil {
		f := c.next
		c.next = nil
		c.mu.Unlock()
		f.err = fn(ctx)
		close(f.done)
		c.mu.Lock()
	}
	c.running = false
	c.mu.Unlock()
}
