package store

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// healthBatch is how many keys or lines one statement writes.
const healthBatch = 256

// healthPendingMax is how many keys, or lines, a healthTx holds before it
// writes them: a shard read whole (100k keys, a few lines each) is written
// in one or two sorted runs, in memory bounded whatever the shard's size.
// A variable for the tests.
var healthPendingMax = 1 << 18

// healthPending are the keys and lines a healthTx has taken and not
// written yet. They are written sorted by primary key: SQLite then inserts
// each into the page the one before it went to (a key read from the
// branch comes in hash-directory order, which is random by key; in that
// order every insert went to another page of a table bigger than SQLite's
// page cache), and PostgreSQL touches each index page once per batch.
type healthPending struct {
	keys  []HealthKey
	lines []HealthLine
}

func (h *healthTx) AddKey(k HealthKey) error {
	h.batch.keys = append(h.batch.keys, k)
	if len(h.batch.keys) >= healthPendingMax {
		return h.flushKeys()
	}
	return nil
}

func (h *healthTx) HasKey(key string) (bool, error) {
	if err := h.flushKeys(); err != nil { // a key added and not written yet is a key
		return false, err
	}
	st, err := h.stmt(`SELECT COUNT(*) FROM health_keys WHERE shard = ? AND key = ?`)
	if err != nil {
		return false, err
	}
	var n int
	if err := st.QueryRow(h.shard, key).Scan(&n); err != nil {
		return false, fmt.Errorf("read the files of %s: %w", h.shard, err)
	}
	return n > 0, nil
}

func (h *healthTx) MergeLine(l HealthLine) error {
	h.batch.lines = append(h.batch.lines, l)
	if len(h.batch.lines) >= healthPendingMax {
		return h.flushLines()
	}
	return nil
}

// flush writes what is pending; UpdateHealth calls it before committing.
func (h *healthTx) flush() error {
	if err := h.flushKeys(); err != nil {
		return err
	}
	return h.flushLines()
}

// flushKeys writes the pending keys by key, each once: the first added
// (AddKey keeps the first; a key written by an earlier flush stays).
func (h *healthTx) flushKeys() error {
	keys := h.batch.keys
	if len(keys) == 0 {
		return nil
	}
	slices.SortStableFunc(keys, func(a, b HealthKey) int { return strings.Compare(a.Key, b.Key) })
	keys = slices.CompactFunc(keys, func(a, b HealthKey) bool { return a.Key == b.Key })
	h.batch.keys = h.batch.keys[:0]
	return eachBatch(keys, 4, func(q string, args []any) error {
		return h.exec(h.tx.d.insertOrIgnore("health_keys", "shard, key, path, size", q), args...)
	}, func(args []any, k HealthKey) []any { return append(args, h.shard, k.Key, k.Path, k.Size) })
}

// flushLines writes the pending lines by key and UUID, of each key and
// UUID the newest (the first of equals), unless a newer one is recorded
// already (MergeLine keeps the newest).
func (h *healthTx) flushLines() error {
	lines := h.batch.lines
	if len(lines) == 0 {
		return nil
	}
	slices.SortStableFunc(lines, func(a, b HealthLine) int {
		return cmp.Or(strings.Compare(a.Key, b.Key), strings.Compare(a.UUID, b.UUID))
	})
	lines = newestLines(lines)
	h.batch.lines = h.batch.lines[:0]
	return eachBatch(lines, 7, func(q string, args []any) error {
		if !h.tx.d.postgres {
			// Most lines of a shard read whole are new: insert them
			// without the upsert's statement journal, and merge only
			// when one was recorded already (an inserted row then meets
			// itself, equally new, and stays).
			added, err := h.execCount(h.tx.d.insertOrIgnore("health_lines", lineColumns, q), args...)
			if err != nil || added == int64(len(args)/7) {
				return err
			}
		}
		return h.exec(`INSERT INTO health_lines (`+lineColumns+`) VALUES `+q+`
		ON CONFLICT (shard, key, uuid) DO UPDATE SET status = excluded.status, sec = excluded.sec, nsec = excluded.nsec
		WHERE excluded.sec > health_lines.sec OR (excluded.sec = health_lines.sec AND excluded.nsec > health_lines.nsec)`, args...)
	}, func(args []any, l HealthLine) []any {
		return append(args, h.shard, l.Key, l.Size, l.UUID, string(l.Status), l.Sec, l.Nsec)
	})
}

// newestLines keeps, of lines sorted by key and UUID (stably), the newest
// of each key and UUID; of lines equally new, the first.
func newestLines(lines []HealthLine) []HealthLine {
	out := lines[:0]
	for _, l := range lines {
		if n := len(out); n > 0 && out[n-1].Key == l.Key && out[n-1].UUID == l.UUID {
			if old := out[n-1]; l.Sec > old.Sec || (l.Sec == old.Sec && l.Nsec > old.Nsec) {
				out[n-1] = l
			}
			continue
		}
		out = append(out, l)
	}
	return out
}

// eachBatch runs write on rows in statements of healthBatch rows (the
// last one fewer): q is the statement's rows of cols placeholders, args
// their values as add appends them.
func eachBatch[T any](rows []T, cols int, write func(q string, args []any) error, add func(args []any, row T) []any) error {
	args := make([]any, 0, cols*min(len(rows), healthBatch))
	for len(rows) > 0 {
		n := min(len(rows), healthBatch)
		args = args[:0]
		for _, r := range rows[:n] {
			args = add(args, r)
		}
		if err := write(placeholders(n, cols), args); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// placeholders is n rows of cols placeholders: (?, ?), (?, ?).
func placeholders(n, cols int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}
