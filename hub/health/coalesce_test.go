package health

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestCoalescerSharesRefreshesAndNeverAnswersWithAnOldOne: callers that
// ask while a refresh runs share the next one, and each caller gets a
// refresh that started after it asked.
func TestCoalescerSharesRefreshesAndNeverAnswersWithAnOldOne(t *testing.T) {
	var c coalescer
	var runs, asked atomic.Int64
	block := make(chan struct{})
	started := make(chan struct{}, 1)
	fn := func(context.Context) error {
		select {
		case started <- struct{}{}:
		default:
		}
		<-block
		runs.Add(1)
		return nil
	}
	// The first caller starts a run that blocks; 50 more ask meanwhile.
	const n = 50
	var wg sync.WaitGroup
	call := func() {
		defer wg.Done()
		asked.Add(1)
		if err := c.do(context.Background(), fn); err != nil {
			t.Error(err)
		}
	}
	wg.Add(1)
	go call()
	<-started
	wg.Add(n)
	for i := 0; i < n; i++ {
		go call()
	}
	waitUntil(t, func() bool { return asked.Load() == n+1 })
	close(block)
	wg.Wait()
	if r := runs.Load(); r > n/5 {
		t.Errorf("%d callers asking at once cost %d refreshes", n+1, r)
	}
	// A caller after everything is done gets a run of its own.
	before := runs.Load()
	if err := c.do(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
	if runs.Load() != before+1 {
		t.Errorf("a later caller was answered without a refresh of its own")
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}

// TestCoalescerCallerMayStopWaiting: a caller whose context ends stops
// waiting; the refresh goes on for the others.
func TestCoalescerCallerMayStopWaiting(t *testing.T) {
	var c coalescer
	block := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() { errc <- c.do(ctx, func(context.Context) error { <-block; return nil }) }()
	cancel()
	if err := <-errc; err == nil {
		t.Error("a cancelled caller got no error")
	}
	close(block)
	if err := c.do(context.Background(), func(context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
}
