package fakeclock

import (
	"testing"
	"time"
)

// TestTimersFireWhenTheClockReachesThem: a timer fires only once the
// clock is moved to its time; the generation count sees who slept since.
func TestTimersFireWhenTheClockReachesThem(t *testing.T) {
	c := New(time.Unix(100, 0))
	soon, later := c.After(time.Second), c.After(time.Minute)
	if c.Waiting() != 2 || c.WaitingSinceMark() != 2 {
		t.Fatalf("waiting %d, since mark %d", c.Waiting(), c.WaitingSinceMark())
	}
	c.Advance(time.Second)
	select {
	case at := <-soon:
		if !at.Equal(time.Unix(101, 0)) {
			t.Errorf("fired at %v", at)
		}
	default:
		t.Fatal("a timer due did not fire")
	}
	select {
	case <-later:
		t.Fatal("a timer not due fired")
	default:
	}
	if c.Waiting() != 1 || c.WaitingSinceMark() != 0 {
		t.Errorf("after Advance: waiting %d, since mark %d", c.Waiting(), c.WaitingSinceMark())
	}
	select {
	case <-c.After(0):
	default:
		t.Error("After(0) did not fire at once")
	}
	c.Clear()
	if c.Waiting() != 0 {
		t.Error("Clear kept timers")
	}
}
