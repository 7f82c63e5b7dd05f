package store

import (
	"fmt"
	"strings"
)

// healthBatch is how many keys or lines one statement writes.
const healthBatch = 256

// healthPending are the keys and lines a healthTx has taken and not
// written yet, each once: the first of a key (AddKey keeps the first),
// the newest of a key's line per UUID (MergeLine keeps the newest).
type healthPending struct {
	keys     []HealthKey
	keyIndex map[string]bool
	lines    []HealthLine
	lineAt   map[[2]string]int // key, uuid -> index in lines
}

func (h *healthTx) AddKey(k HealthKey) error {
	p := &h.batch
	if p.keyIndex[k.Key] {
		return nil
	}
	if p.keyIndex == nil {
		p.keyIndex = map[string]bool{}
	}
	p.keyIndex[k.Key] = true
	p.keys = append(p.keys, k)
	if len(p.keys) >= healthBatch {
		return h.flushKeys()
	}
	return nil
}

func (h *healthTx) HasKey(key string) (bool, error) {
	if h.batch.keyIndex[key] {
		return true, nil
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
	p := &h.batch
	id := [2]string{l.Key, l.UUID}
	if i, ok := p.lineAt[id]; ok {
		if old := p.lines[i]; l.Sec > old.Sec || (l.Sec == old.Sec && l.Nsec > old.Nsec) {
			p.lines[i] = l
		}
		return nil
	}
	if p.lineAt == nil {
		p.lineAt = map[[2]string]int{}
	}
	p.lineAt[id] = len(p.lines)
	p.lines = append(p.lines, l)
	if len(p.lines) >= healthBatch {
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

func (h *healthTx) flushKeys() error {
	p := &h.batch
	if len(p.keys) == 0 {
		return nil
	}
	args := make([]any, 0, 4*len(p.keys))
	for _, k := range p.keys {
		args = append(args, h.shard, k.Key, k.Path, k.Size)
	}
	q := `INSERT INTO health_keys (shard, key, path, size) VALUES ` + rows(len(p.keys), 4) + ` ON CONFLICT (shard, key) DO NOTHING`
	p.keys, p.keyIndex = p.keys[:0], nil
	return h.exec(q, args...)
}

func (h *healthTx) flushLines() error {
	p := &h.batch
	if len(p.lines) == 0 {
		return nil
	}
	args := make([]any, 0, 7*len(p.lines))
	for _, l := range p.lines {
		args = append(args, h.shard, l.Key, l.Size, l.UUID, string(l.Status), l.Sec, l.Nsec)
	}
	q := `INSERT INTO health_lines (` + lineColumns + `) VALUES ` + rows(len(p.lines), 7) + `
		ON CONFLICT (shard, key, uuid) DO UPDATE SET status = excluded.status, sec = excluded.sec, nsec = excluded.nsec
		WHERE excluded.sec > health_lines.sec OR (excluded.sec = health_lines.sec AND excluded.nsec > health_lines.nsec)`
	p.lines, p.lineAt = p.lines[:0], nil
	return h.exec(q, args...)
}

// rows is n rows of cols placeholders: (?, ?), (?, ?).
func rows(n, cols int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}
