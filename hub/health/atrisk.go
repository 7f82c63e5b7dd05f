package health

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// AtRiskFile is a file with fewer donor copies than the target.
type AtRiskFile struct {
	Shard  string    `json:"shard"`
	Path   string    `json:"path"` // the first path with this content
	Key    annex.Key `json:"key"`
	Size   int64     `json:"size"`
	Copies int       `json:"copies"`
}

// errEnough stops EachAtRisk once AtRisk has its limit.
var errEnough = errors.New("enough files at risk")

// AtRisk lists the files with fewer donor copies than the target, fewest
// copies first (then by shard and path); limit <= 0 means all.
func (t *Tracker) AtRisk(ctx context.Context, donors []store.Donor, limit int) ([]AtRiskFile, error) {
	var out []AtRiskFile
	err := t.EachAtRisk(ctx, donors, func(f AtRiskFile) error {
		out = append(out, f)
		if limit > 0 && len(out) >= limit {
			return errEnough
		}
		return nil
	})
	if errors.Is(err, errEnough) {
		err = nil
	}
	return out, err
}

// EachAtRisk hands over the files AtRisk lists, in its order, one at a
// time: memory follows the files donors hold copies of, not the
// collection. One pass per number of copies below the target: at 0, the
// shard's files in path order, skipping those with copies; above, the
// files with that many copies (read from the donors' lines), sorted.
func (t *Tracker) EachAtRisk(ctx context.Context, donors []store.Donor, fn func(AtRiskFile) error) error {
	j := t.judge(donors, t.opts.Now())
	views := t.views()
	sort.Slice(views, func(a, b int) bool { return views[a].info.Name < views[b].info.Name })
	for n := 0; n < t.opts.TargetCopies; n++ {
		for _, v := range views {
			if err := ctx.Err(); err != nil {
				return err
			}
			copies, err := t.copiesOf(v, j)
			if err != nil {
				return err
			}
			if n == 0 {
				err = t.eachUncopied(v.info.Name, copies, fn)
			} else {
				err = t.eachWithCopies(v.info.Name, copies, n, fn)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// copiesOf counts, per key with donor lines, the copies that count.
func (t *Tracker) copiesOf(v *view, j judge) (map[annex.Key]int, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := map[annex.Key]int{}
	err := t.eachKeyLines(v.info.Name, func(k annex.Key, ks *keyState) error {
		out[k], _ = j.keyCopies(v, ks)
		return nil
	})
	return out, err
}

// eachUncopied hands over a shard's files with no counting copy, in path
// order.
func (t *Tracker) eachUncopied(shard string, copies map[annex.Key]int, fn func(AtRiskFile) error) error {
	return t.state.EachHealthKey(shard, func(k store.HealthKey) error {
		if copies[annex.Key(k.Key)] > 0 {
			return nil
		}
		return fn(AtRiskFile{Shard: shard, Path: k.Path, Key: annex.Key(k.Key), Size: k.Size})
	})
}

// eachWithCopies hands over a shard's files with exactly n counting
// copies, in path order.
func (t *Tracker) eachWithCopies(shard string, copies map[annex.Key]int, n int, fn func(AtRiskFile) error) error {
	var files []AtRiskFile
	for k, c := range copies {
		if c != n {
			continue
		}
		hk, ok, err := t.state.HealthKey(shard, string(k))
		if err != nil {
			return err
		}
		if ok {
			files = append(files, AtRiskFile{Shard: shard, Path: hk.Path, Key: k, Size: hk.Size, Copies: n})
		}
	}
	sort.Slice(files, func(a, b int) bool {
		if files[a].Path != files[b].Path {
			return files[a].Path < files[b].Path
		}
		return files[a].Key < files[b].Key
	})
	for _, f := range files {
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

var csvHeader = []string{"shard", "path", "key", "size", "copies"}

func csvRow(f AtRiskFile) []string {
	return []string{f.Shard, f.Path, string(f.Key), strconv.FormatInt(f.Size, 10), strconv.Itoa(f.Copies)}
}

// WriteAtRiskCSV writes the list with a header row.
func WriteAtRiskCSV(w io.Writer, files []AtRiskFile) error {
	cw := csv.NewWriter(w)
	cw.Write(csvHeader)
	for _, f := range files {
		cw.Write(csvRow(f))
	}
	cw.Flush()
	return cw.Error()
}

// csvFlushEvery is how many rows StreamAtRiskCSV writes between flushes.
const csvFlushEvery = 1000

// StreamAtRiskCSV writes every file at risk as CSV as it is found,
// flushing w (when it is an http.Flusher) every csvFlushEvery rows: the
// first rows leave before the last are read, and memory does not grow
// with the list.
func (t *Tracker) StreamAtRiskCSV(ctx context.Context, w io.Writer, donors []store.Donor) error {
	cw := csv.NewWriter(w)
	flush := func() error {
		cw.Flush()
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		return cw.Error()
	}
	cw.Write(csvHeader)
	rows := 0
	err := t.EachAtRisk(ctx, donors, func(f AtRiskFile) error {
		cw.Write(csvRow(f))
		if rows++; rows%csvFlushEvery == 0 {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}
