package fetch

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/ledger"
	"github.com/shardkeeper/shardkeeper/agent/plan"
	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/internal/words"
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

// Transfers are the downloads under way, with a smoothed speed each. It
// owns its state and lock.
type Transfers struct {
	mu  sync.Mutex
	now func() time.Time
	m   map[ledger.Ref]*transfer
}

// NewTransfers keeps the downloads under way; now is the agent's clock.
func NewTransfers(now func() time.Time) *Transfers {
	return &Transfers{now: now, m: map[ledger.Ref]*transfer{}}
}

// Start books a download that begins.
func (t *Transfers) Start(shard string, c plan.Candidate, file string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.m[ledger.Ref{Shard: shard, Key: c.Key}] = &transfer{
		Transfer: control.Transfer{Shard: shard, Key: string(c.Key), File: file, TotalBytes: c.Size},
		lastAt:   t.now(),
	}
}

// Progress books a --json-progress line; the speed is smoothed. It
// returns the event to send, if one is due.
func (t *Transfers) Progress(shard string, k annex.Key, done, total int64) (control.Event, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	tr := t.m[ledger.Ref{Shard: shard, Key: k}]
	if tr == nil {
		return control.Event{}, false
	}
	now := t.now()
	if dt := now.Sub(tr.lastAt).Seconds(); dt > 0 && done >= tr.lastBytes {
		rate := float64(done-tr.lastBytes) / dt
		if tr.BytesPerSec == 0 {
			tr.BytesPerSec = rate
		} else {
			tr.BytesPerSec = 0.7*tr.BytesPerSec + 0.3*rate
		}
	}
	tr.DoneBytes, tr.lastBytes, tr.lastAt = done, done, now
	if total > 0 {
		tr.TotalBytes = total
	}
	if now.Sub(tr.emittedAt) < transferEvery {
		return control.Event{}, false
	}
	tr.emittedAt = now
	snap := tr.Transfer
	return control.Event{Kind: control.EventTransfer, Shard: shard, Key: string(k), File: snap.File, Transfer: &snap,
		Message: fmt.Sprintf("Fetching %s: %s of %s", words.FileOrKey(snap.File, string(k)), words.Size(done), words.Size(snap.TotalBytes))}, true
}

// End forgets a download that ended.
func (t *Transfers) End(shard string, k annex.Key) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, ledger.Ref{Shard: shard, Key: k})
}

// List is the downloads under way, by shard then key.
func (t *Transfers) List() []control.Transfer {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []control.Transfer
	for _, tr := range t.m {
		out = append(out, tr.Transfer)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Shard != out[j].Shard {
			return out[i].Shard < out[j].Shard
		}
		return out[i].Key < out[j].Key
	})
	return out
}
