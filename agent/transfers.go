package agent

import (
	"fmt"
	"sort"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/agent/ledger"
	"github.com/shardkeeper/shardkeeper/annex"
)

// transferEvery is the least time between two progress events of one
// download: enough for a progress bar, not a flood.
const transferEvery = time.Second

// transfer is a download under way.
type transfer struct {
	control.Transfer
	lastAt    time.Time // last progress line
	lastBytes int64
	emittedAt time.Time
}

func (a *Agent) startTransfer(shard string, c Candidate) {
	file := a.fileOf(shard, c.Key)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.transfers[ledger.Ref{Shard: shard, Key: c.Key}] = &transfer{
		Transfer: control.Transfer{Shard: shard, Key: string(c.Key), File: file, TotalBytes: c.Size},
		lastAt:   a.clock.Now(),
	}
}

// progress books a --json-progress line; the speed is smoothed.
func (a *Agent) progress(shard string, k annex.Key, done, total int64) {
	a.mu.Lock()
	t := a.transfers[ledger.Ref{Shard: shard, Key: k}]
	if t == nil {
		a.mu.Unlock()
		return
	}
	now := a.clock.Now()
	if dt := now.Sub(t.lastAt).Seconds(); dt > 0 && done >= t.lastBytes {
		rate := float64(done-t.lastBytes) / dt
		if t.BytesPerSec == 0 {
			t.BytesPerSec = rate
		} else {
			t.BytesPerSec = 0.7*t.BytesPerSec + 0.3*rate
		}
	}
	t.DoneBytes, t.lastBytes, t.lastAt = done, done, now
	if total > 0 {
		t.TotalBytes = total
	}
	emit := now.Sub(t.emittedAt) >= transferEvery
	if emit {
		t.emittedAt = now
	}
	snap := t.Transfer
	a.mu.Unlock()
	if emit {
		a.emit(control.Event{Kind: control.EventTransfer, Shard: shard, Key: string(k), File: snap.File, Transfer: &snap,
			Message: fmt.Sprintf("Fetching %s: %s of %s", displayName(snap.File, k), FormatSize(done), FormatSize(snap.TotalBytes))})
	}
}

func (a *Agent) endTransfer(shard string, k annex.Key) {
	a.mu.Lock()
	delete(a.transfers, ledger.Ref{Shard: shard, Key: k})
	a.mu.Unlock()
}

// transfersLocked lists the downloads under way, oldest key first.
func (a *Agent) transfersLocked() []control.Transfer {
	var out []control.Transfer
	for _, t := range a.transfers {
		out = append(out, t.Transfer)
	}
	sortTransfers(out)
	return out
}

// activityDays is how much daily history status keeps.
const activityDays = 30

// addActivityLocked counts one fetched file for today (local time).
func (a *Agent) addActivityLocked(bytes int64) {
	day := a.clock.Now().Local().Format(time.DateOnly)
	acts := a.state.Activity
	if n := len(acts); n == 0 || acts[n-1].Day != day {
		acts = append(acts, home.DayActivity{Day: day})
	}
	acts[len(acts)-1].Bytes += bytes
	acts[len(acts)-1].Files++
	if len(acts) > activityDays {
		acts = acts[len(acts)-activityDays:]
	}
	a.state.Activity = acts
}

func sortTransfers(ts []control.Transfer) {
	sort.Slice(ts, func(i, j int) bool {
		if ts[i].Shard != ts[j].Shard {
			return ts[i].Shard < ts[j].Shard
		}
		return ts[i].Key < ts[j].Key
	})
}
