// Package fakeclock is the injected clock of tests: time moves only when
// the test moves it, and the timers due fire then. Waits are counted in
// generations (each Advance or Mark starts one), so a test can wait until
// its loops went back to sleep after the last step.
package fakeclock

import (
	"sync"
	"time"
)

// Clock is a fake clock; the zero value starts at the zero time.
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	gen     int
	waiters []waiter
}

type waiter struct {
	at  time.Time
	gen int
	ch  chan time.Time
}

// New is a clock at t.
func New(t time.Time) *Clock { return &Clock{now: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After fires when the clock has moved on d (at once when d <= 0).
func (c *Clock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, waiter{c.now.Add(d), c.gen, ch})
	return ch
}

// Mark starts a new generation without moving time (e.g. before a second
// agent starts on the same clock).
func (c *Clock) Mark() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
}

// Advance moves the clock on d and fires the timers due.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(c.now) {
			kept = append(kept, w)
		} else {
			w.ch <- c.now
		}
	}
	c.waiters = kept
}

// Waiting is how many timers have not fired.
func (c *Clock) Waiting() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waiters)
}

// Pending is how far each timer not fired is from now (0 when due), in
// the order they were set.
func (c *Clock) Pending() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]time.Duration, len(c.waiters))
	for i, w := range c.waiters {
		out[i] = max(w.at.Sub(c.now), 0)
	}
	return out
}

// WaitingSinceMark is how many of them began since the last Advance or
// Mark: how many loops went back to sleep since then.
func (c *Clock) WaitingSinceMark() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, w := range c.waiters {
		if w.gen == c.gen {
			n++
		}
	}
	return n
}

// Clear forgets the timers nobody waits on any more (a run that ended).
func (c *Clock) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waiters = nil
}
