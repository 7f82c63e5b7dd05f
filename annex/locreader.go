package annex

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"
)

// LocationReader keeps what one ref of a git-annex branch says about where
// keys are, and brings it up to date by reading only the logs that changed
// since the commit it last read: a donor re-reads its branch after every
// batch of downloads, and a full read of a 100k-file shard takes a second.
type LocationReader struct {
	mu  sync.Mutex
	tip string     // the commit loc was read from
	loc *Locations // as on the branch, without the journal
}

// Read returns the locations at ref, with the uncommitted journal of the
// repository at gitDir folded in when gitDir is not empty. The result is
// the caller's: later reads do not change it.
func (r *LocationReader) Read(ctx context.Context, g Git, ref, gitDir string) (*Locations, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out, err := g.Output(ctx, nil, "rev-parse", "--verify", "--quiet", ref+"^{commit}")
	tip := strings.TrimSpace(string(out))
	switch {
	case err != nil || tip == "":
		r.tip, r.loc = "", &Locations{Logs: map[Key][]LogLine{}, Trust: map[string]byte{}}
	case r.loc == nil || r.tip == "":
		if err := r.readAll(ctx, g, tip); err != nil {
			return nil, err
		}
	case tip != r.tip:
		// A repository made anew (a re-clone) lacks the commit last read:
		// then read it all again.
		if err := r.update(ctx, g, tip); err != nil {
			if err := r.readAll(ctx, g, tip); err != nil {
				return nil, err
			}
		}
	}
	loc := &Locations{Logs: maps.Clone(r.loc.Logs), Trust: maps.Clone(r.loc.Trust)}
	if gitDir != "" {
		if err := loc.ApplyJournal(gitDir); err != nil {
			return nil, err
		}
	}
	return loc, nil
}

func (r *LocationReader) readAll(ctx context.Context, g Git, tip string) error {
	loc, err := ReadLocations(ctx, g, tip)
	if err != nil {
		return err
	}
	r.tip, r.loc = tip, loc
	return nil
}

// update re-reads the location logs (and trust.log) that differ between
// the commit last read and tip.
func (r *LocationReader) update(ctx context.Context, g Git, tip string) error {
	changes, err := DiffTree(ctx, g, r.tip, tip)
	if err != nil {
		return err
	}
	var names []string
	var keys []Key
	trustChanged := false
	for _, c := range changes {
		switch {
		case c.Path == "trust.log":
			trustChanged = true
		case IsLocationLog(c.Path):
			k, _ := KeyOfLogPath(c.Path, ".log")
			if c.Status == 'D' {
				delete(r.loc.Logs, k)
				continue
			}
			names = append(names, c.NewSHA)
			keys = append(keys, k)
		}
	}
	err = Cat(ctx, g, names, func(i int, data []byte, found bool) error {
		if !found {
			return fmt.Errorf("read the location log of %s at %s: object %s is missing", keys[i], tip, names[i])
		}
		r.loc.Logs[keys[i]] = Compact(ParseLog(data))
		return nil
	})
	if err != nil {
		return err
	}
	if trustChanged {
		trust := map[string]byte{}
		err := Cat(ctx, g, []string{tip + ":trust.log"}, func(_ int, data []byte, found bool) error {
			if found {
				mergeTrust(trust, map[string]Timestamp{}, data)
			}
			return nil
		})
		if err != nil {
			return err
		}
		r.loc.Trust = trust
	}
	r.tip = tip
	return nil
}
