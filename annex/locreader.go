package annex

import (
	"context"
	"maps"
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
	tip := g.Tip(ctx, ref)
	switch {
	case tip == "":
		r.tip, r.loc = "", NewLocations()
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
	_, err := ReadChanges(ctx, g, r.tip, tip, BranchVisitor{
		Log: func(k Key, lines []LogLine, deleted bool) error {
			if deleted {
				delete(r.loc.Logs, k)
			} else {
				r.loc.Logs[k] = Compact(lines)
			}
			return nil
		},
		Trust: func(data []byte) {
			r.loc.Trust = TrustLog{}
			r.loc.Trust.Merge(data)
		},
	})
	if err != nil {
		return err
	}
	r.tip = tip
	return nil
}
