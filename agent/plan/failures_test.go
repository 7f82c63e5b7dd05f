package plan

import (
	"testing"
	"time"
)

func TestFailureBackoffGrowsThenSkips(t *testing.T) {
	b := failureBook{Keys: map[string]*Failure{}}
	now := time.Now()
	var waits []time.Duration
	for i := 0; i < MaxTries; i++ {
		f := b.failed("s", "k", "503", now)
		waits = append(waits, f.NextTry.Sub(now))
		if f.Skipped != (i == MaxTries-1) {
			t.Errorf("try %d: skipped=%v", i+1, f.Skipped)
		}
	}
	if waits[0] < RetryBase/2 || waits[1] < 4*RetryBase/2 || waits[2] < SkipFor/2 {
		t.Errorf("waits %v", waits)
	}
	if !b.waiting("k", now.Add(time.Hour)) || b.skipped(now) != 1 {
		t.Error("a skipped file is tried again within the hour")
	}
	started := false
	for i := 0; i < busyStreak; i++ {
		started = b.answer(503, 0, false, now) || started
	}
	if !started || !now.Before(b.Host.Until) {
		t.Errorf("three 503s in a row did not pause downloads: %+v", b.Host)
	}
	b.answer(200, 0, false, now)
	if b.Host.Streak != 0 || b.Host.Level != 0 {
		t.Errorf("a success did not reset the backoff: %+v", b.Host)
	}
	if Classify([]string{"  http://x/y download failed: Too Many Requests"}, "") != "busy" ||
		Classify(nil, "not enough free space, need 5 MB more") != "space" || Classify([]string{"Not Found"}, "") != "file" {
		t.Error("classify")
	}
}
