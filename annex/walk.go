package annex

import (
	"context"
	"fmt"
	"strings"
)

// BranchVisitor receives what a git-annex branch says, from ReadBranch (a
// whole commit) or ReadChanges (what changed between two): the one reader
// of location logs and trust.log that the donor's agent and the hub share.
type BranchVisitor struct {
	// Want picks the location logs to read by key before their content is
	// read (nil: all).
	Want func(Key) bool
	// Log receives one key's location log. Keys whose logs have the same
	// content share lines: do not change them. deleted (ReadChanges only)
	// says the log is gone; lines is nil then.
	Log func(k Key, lines []LogLine, deleted bool) error
	// Trust receives trust.log's whole content (nil when it was deleted);
	// nil ignores trust.log.
	Trust func(data []byte)
}

// logShape is a cheap test of a location log's path; KeyOfLogPath checks
// each one fully once.
func logShape(p string) bool { return strings.HasSuffix(p, ".log") && strings.Count(p, "/") == 2 }

// ReadBranch reads every location log (and trust.log) at rev. Each
// distinct blob is read and parsed once: in a freshly built shard every
// location log is the same "on the web" line, so 100k logs are one read.
// It returns the number of blobs read.
func ReadBranch(ctx context.Context, g Git, rev string, v BranchVisitor) (int, error) {
	entries, err := LsTree(ctx, g, rev, func(p string) bool {
		return (p == "trust.log" && v.Trust != nil) || logShape(p)
	})
	if err != nil {
		return 0, err
	}
	type target struct {
		key   Key
		trust bool
	}
	byBlob := map[string][]target{}
	var blobs []string
	for _, e := range entries {
		t := target{trust: e.Path == "trust.log"}
		if !t.trust {
			k, ok := KeyOfLogPath(e.Path, ".log")
			if !ok || (v.Want != nil && !v.Want(k)) {
				continue
			}
			t.key = k
		}
		if _, seen := byBlob[e.SHA]; !seen {
			blobs = append(blobs, e.SHA)
		}
		byBlob[e.SHA] = append(byBlob[e.SHA], t)
	}
	err = Cat(ctx, g, blobs, func(i int, data []byte, found bool) error {
		if !found {
			return fmt.Errorf("read %s: object %s is missing", short(rev), blobs[i])
		}
		var lines []LogLine
		parsed := false
		for _, t := range byBlob[blobs[i]] {
			if t.trust {
				v.Trust(data)
				continue
			}
			if !parsed {
				lines, parsed = ParseLog(data), true
			}
			if err := v.Log(t.key, lines, false); err != nil {
				return err
			}
		}
		return nil
	})
	return len(blobs), err
}

// ReadChanges reads the location logs (and trust.log) that differ between
// the commits from and to. Unchanged subtrees are skipped by hash, so the
// cost follows the size of the change, not of the branch. It returns the
// number of blobs read.
func ReadChanges(ctx context.Context, g Git, from, to string, v BranchVisitor) (int, error) {
	changes, err := DiffTree(ctx, g, from, to)
	if err != nil {
		return 0, err
	}
	byBlob := map[string][]Key{}
	var blobs []string
	trustBlob := ""
	for _, c := range changes {
		if c.Path == "trust.log" && v.Trust != nil {
			if c.Status == 'D' {
				v.Trust(nil)
			} else {
				trustBlob = c.NewSHA
			}
			continue
		}
		k, ok := KeyOfLogPath(c.Path, ".log")
		if !ok || (v.Want != nil && !v.Want(k)) {
			continue
		}
		if c.Status == 'D' {
			if err := v.Log(k, nil, true); err != nil {
				return 0, err
			}
			continue
		}
		if _, seen := byBlob[c.NewSHA]; !seen {
			blobs = append(blobs, c.NewSHA)
		}
		byBlob[c.NewSHA] = append(byBlob[c.NewSHA], k)
	}
	if trustBlob != "" {
		blobs = append(blobs, trustBlob)
	}
	err = Cat(ctx, g, blobs, func(i int, data []byte, found bool) error {
		if !found {
			return fmt.Errorf("read the changes from %s to %s: object %s is missing", short(from), short(to), blobs[i])
		}
		if blobs[i] == trustBlob && i == len(blobs)-1 {
			v.Trust(data)
			return nil
		}
		lines := ParseLog(data)
		for _, k := range byBlob[blobs[i]] {
			if err := v.Log(k, lines, false); err != nil {
				return err
			}
		}
		return nil
	})
	return len(blobs), err
}
