package sim

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
)

// targetCopies is what donors fill up to (the hub's default).
const targetCopies = annex.DefaultTargetCopies

// world is the hub's shard and what its donors did.
type world struct {
	cfg   Config
	data  string
	shard string
	g     annex.Git // the shard repository
	now   time.Time // the fake clock
	rng   *rand.Rand

	keys    []annex.Key
	paths   []string          // location log path per key
	lines   [][]annex.LogLine // newest line per repository, per key (the truth)
	holders []uint32          // bit i: donor i holds the key
	latest  []string          // the newest blob of the key's log (":mark" this month, or a hash)
	changes []int32           // keys changed, in order; donors merge from their seen index
	dropped int               // changes already trimmed off the front

	donors   []*donor
	trust    string            // trust.log as the hub last wrote it
	activity map[string]string // uuid -> its activity.log line
}

// donor is one simulated donor.
type donor struct {
	i                   int
	uuid                string
	join, leave, silent int // months (0: never)
	cap                 int // keys it has room for
	held                int
	seen                int // changes merged into its branch
	tip                 string
	streamed            bool // has a commit in this month's stream
}

// plan is who joins when, who leaves and who goes silent.
func plan(cfg Config) []*donor {
	joins := []int{1, 1, 1, 2, 4, 7}
	var out []*donor
	for i := range cfg.Donors {
		d := &donor{i: i, uuid: fmt.Sprintf("%08x-5eed-4000-8000-%012x", 0xd0+i, i+1), join: 1, cap: cfg.Keys * targetCopies / 5}
		if i < len(joins) {
			d.join = min(joins[i], max(cfg.Months, 1))
		}
		out = append(out, d)
	}
	if len(out) > 1 && cfg.Months >= 2 {
		out[1].leave = max(2, cfg.Months*13/24)
	}
	if len(out) > 2 && cfg.Months >= 3 {
		out[2].silent = max(3, cfg.Months*18/24)
	}
	return out
}

func (d *donor) active(m int) bool {
	return d.join <= m && (d.leave == 0 || m < d.leave) && (d.silent == 0 || m < d.silent)
}

func (w *world) monthStart(m int) time.Time { return start.AddDate(0, m-1, 0) }

// readKeys reads the built shard's keys and their (web) location logs.
func (w *world) readKeys(ctx context.Context) error {
	w.activity = map[string]string{}
	_, err := annex.ReadBranch(ctx, w.g, annex.BranchRef, annex.BranchVisitor{
		Log: func(k annex.Key, lines []annex.LogLine, _ bool) error {
			w.keys = append(w.keys, k)
			w.paths = append(w.paths, annex.LocationLogPath(k))
			w.lines = append(w.lines, append([]annex.LogLine(nil), lines...))
			return nil
		},
		Trust: func(data []byte) { w.trust = string(data) },
	})
	if err != nil {
		return err
	}
	if len(w.keys) != w.cfg.Keys {
		return fmt.Errorf("the shard has %d keys, want %d", len(w.keys), w.cfg.Keys)
	}
	w.holders = make([]uint32, len(w.keys))
	w.latest = make([]string, len(w.keys))
	if len(w.donors) > 32 {
		return errors.New("at most 32 donors")
	}
	return nil
}

// setLine records uuid's line for key k, stamped at.
func (w *world) setLine(k int, uuid string, status byte, at time.Time) {
	l := annex.LogLine{Time: annex.TimestampOf(at), Status: status, Value: uuid}
	for i := range w.lines[k] {
		if w.lines[k][i].Value == uuid {
			w.lines[k][i] = l
			return
		}
	}
	w.lines[k] = annex.Compact(append(w.lines[k], l))
}

// month plays month m: one fast-import stream with every push in time
// order, then the pushes land (audited, when asked).
func (w *world) month(ctx context.Context, m int) (pushes, lines int, err error) {
	tips, err := annex.RefTips(ctx, w.g, "refs/heads/")
	if err != nil {
		return 0, 0, err
	}
	for _, d := range w.donors {
		d.tip, d.streamed = tips[annex.DonorRef(d.uuid)], false
	}
	s := &stream{hubTip: tips[annex.BranchRef]}
	err = runFastImport(ctx, w.g, func(s2 *stream) {
		s2.hubTip = s.hubTip
		s = s2
		lines = w.events(s, m)
	})
	if err != nil {
		return 0, 0, err
	}
	if err := w.resolveMarks(ctx, s.marksFile); err != nil {
		return 0, 0, err
	}
	_, err = w.land(ctx, s.pushes)
	w.trimChanges()
	return s.commits, lines, err
}

// events writes the month's commits in time order and returns the lines
// donors wrote.
func (w *world) events(s *stream, m int) int {
	t := w.monthStart(m)
	lines := 0
	for _, d := range w.donors {
		if d.leave == m {
			w.now = t.Add(time.Hour)
			lines += w.leave(s, d)
		}
	}
	for _, d := range w.donors {
		if d.active(m) {
			w.now = t.Add(time.Duration(2+d.i) * time.Hour)
			lines += w.fill(s, d)
		}
	}
	for week := range 4 {
		for _, d := range w.donors {
			if d.active(m) {
				w.now = t.Add(time.Duration(24*(2+7*week)+d.i) * time.Hour)
				w.checkIn(s, d)
			}
			if week == 0 && d.active(m) && d.join < m { // verified a month after fetching
				w.now = t.Add(time.Duration(24*(4+3*d.i)) * time.Hour)
				lines += w.verify(s, d)
			}
		}
	}
	return lines
}

// fill takes the keys with fewest copies, up to the donor's room.
func (w *world) fill(s *stream, d *donor) int {
	var got []int
	off := w.rng.IntN(len(w.keys))
	for j := range len(w.keys) {
		if d.held >= d.cap {
			break
		}
		k := (off + j) % len(w.keys)
		if w.holders[k]&(1<<d.i) != 0 || w.copies(k) >= targetCopies {
			continue
		}
		w.holders[k] |= 1 << d.i
		d.held++
		got = append(got, k)
	}
	if len(got) == 0 {
		return 0
	}
	w.push(s, d, got, annex.StatusPresent, "get")
	return len(got)
}

// copies counts the key's holders as the donors' git-annex sees them: a
// leaver dropped its copies, a silent donor's still count.
func (w *world) copies(k int) int { return bits.OnesCount32(w.holders[k]) }

// verify re-states every key the donor holds, as the agent does after a
// full verification (setpresentkey 0 then 1: only the newest line stays).
func (w *world) verify(s *stream, d *donor) int {
	var keys []int
	for k := range w.keys {
		if w.holders[k]&(1<<d.i) != 0 {
			keys = append(keys, k)
		}
	}
	w.push(s, d, keys, annex.StatusPresent, "verify")
	return len(keys)
}

// leave drops everything (a 0 line per key), then the hub marks the donor
// untrusted in trust.log, as POST .../leave does.
func (w *world) leave(s *stream, d *donor) int {
	var keys []int
	for k := range w.keys {
		if w.holders[k]&(1<<d.i) != 0 {
			keys = append(keys, k)
			w.holders[k] &^= 1 << d.i
		}
	}
	w.push(s, d, keys, annex.StatusMissing, "drop")
	d.held = 0
	w.trust += d.uuid + " 0 timestamp=" + annex.TimestampOf(w.now).String() + "\n"
	s.hubCommit(w.now, "trust.log", w.trust)
	return len(keys)
}

// checkIn is the weekly `git annex fsck --fast` of nothing: one
// activity.log line.
func (w *world) checkIn(s *stream, d *donor) {
	w.activity[d.uuid] = d.uuid + " Fsck timestamp=" + annex.TimestampOf(w.now).String()
	var b strings.Builder
	for _, o := range w.donors {
		if l, ok := w.activity[o.uuid]; ok {
			b.WriteString(l + "\n")
		}
	}
	s.donorCommit(d, w.now, "update", []fileRef{{path: "activity.log", inline: b.String()}})
}
