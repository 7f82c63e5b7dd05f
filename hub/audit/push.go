package audit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
)

// Update is one line of what git receive-pack hands its pre-receive hook.
type Update struct {
	Old, New, Ref string
}

const zeroID = "0000000000000000000000000000000000000000"

// DonorRef is the one ref a donor may push to (annex.DonorRef).
var DonorRef = annex.DonorRef

// Push is a push to audit.
type Push struct {
	// Git runs in the shard repository, with the environment receive-pack
	// gave its hook, so the pushed objects (still in quarantine) are
	// visible.
	Git     annex.Git
	Donor   string // the authenticated donor's UUID; "" when none
	Now     time.Time
	Updates []Update
}

// Check audits a push and returns the problems (nil: it may land). The
// error is for when the audit itself could not run; the push must then be
// refused too.
func Check(ctx context.Context, p Push) ([]string, error) {
	if p.Donor == "" {
		return []string{"pushing needs a donor token; register with the hub and push with it"}, nil
	}
	own := DonorRef(p.Donor)
	var problems []string
	for _, u := range p.Updates {
		switch {
		case u.Ref != own && annex.IsDonorRef(u.Ref):
			problems = append(problems, fmt.Sprintf("refusing %s: that is another donor's branch; your token is for %s", u.Ref, own))
		case u.Ref != own:
			problems = append(problems, fmt.Sprintf("refusing %s: a donor may push only to %s", u.Ref, own))
		case u.New == zeroID:
			problems = append(problems, fmt.Sprintf("refusing to delete %s (leave the hub through its API instead)", u.Ref))
		default:
			more, err := checkUpdate(ctx, p, u)
			if err != nil {
				return nil, err
			}
			problems = append(problems, more...)
		}
	}
	return problems, nil
}

// checkUpdate audits the donor's own ref moving from u.Old to u.New.
func checkUpdate(ctx context.Context, p Push, u Update) ([]string, error) {
	g := p.Git
	if t, err := g.Output(ctx, nil, "cat-file", "-t", u.New); err != nil || strings.TrimSpace(string(t)) != "commit" {
		return []string{fmt.Sprintf("refusing %s: it must be a commit of the git-annex branch", u.Ref)}, nil
	}
	// The pushed branch must grow from the hub's: a donor cannot swap in a
	// history of its own making for the shard's.
	fork, err := g.Output(ctx, nil, "merge-base", u.New, annex.BranchRef)
	if err != nil {
		return []string{fmt.Sprintf("refusing %s: it shares no history with the hub's git-annex branch; fetch from the hub, let git-annex merge, and push again", u.Ref)}, nil
	}
	// The base is what the donor said before (its previous ref, which a
	// non-fast-forward may replace, audited against it), or for a first
	// push the hub's branch as the donor forked it.
	base := u.Old
	if base == zeroID {
		base = strings.TrimSpace(string(fork))
	}
	changes, err := annex.DiffTree(ctx, g, base, u.New)
	if err != nil {
		return nil, fmt.Errorf("audit %s: %w", u.Ref, err)
	}
	if len(changes) == 0 {
		return nil, nil
	}
	refs, err := annex.RefTips(ctx, g, "refs/heads/")
	if err != nil {
		return nil, fmt.Errorf("audit %s: %w", u.Ref, err)
	}
	known := []string{annex.BranchRef}
	for ref := range refs {
		if annex.IsDonorRef(ref) {
			known = append(known, ref)
		}
	}

	files, err := readFiles(ctx, g, changes, known)
	if err != nil {
		return nil, fmt.Errorf("audit %s: %w", u.Ref, err)
	}
	return Rules{Donor: p.Donor, Now: p.Now, RestoreUUID: restoreUUID(ctx, g)}.Check(files), nil
}

// readFiles reads what the audit compares for each changed file: its
// content before and after, and what the hub's branch and every donor's
// ref (known) say at the same path.
func readFiles(ctx context.Context, g annex.Git, changes []annex.Change, known []string) ([]File, error) {
	files := make([]File, 0, len(changes))
	var names []string
	type slot struct {
		file int
		what int // 0 base, 1 new, 2.. known[what-2]
	}
	var slots []slot
	for _, c := range changes {
		i := len(files)
		files = append(files, File{Path: c.Path, Mode: c.NewMode})
		if classify(c.Path) == notALog || strings.ContainsAny(c.Path, "\n") {
			continue // refused by name; nothing to read
		}
		if c.OldSHA != zeroID {
			names, slots = append(names, c.OldSHA), append(slots, slot{i, 0})
		}
		if c.NewSHA != zeroID {
			names, slots = append(names, c.NewSHA), append(slots, slot{i, 1})
		}
		for r, ref := range known {
			names, slots = append(names, ref+":"+c.Path), append(slots, slot{i, 2 + r})
		}
	}
	err := annex.Cat(ctx, g, names, func(n int, data []byte, found bool) error {
		if !found {
			return nil
		}
		s := slots[n]
		f := &files[s.file]
		switch {
		case s.what == 0:
			f.Base = data
		case s.what == 1:
			f.New = data
		default:
			f.Known = append(f.Known, data)
			if s.what == 2 {
				f.Hub = data
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range files {
		if files[i].New == nil && files[i].Mode != "000000" {
			files[i].New = []byte{} // present but empty
		}
	}
	return files, nil
}

// restoreUUID is the shard's restore remote R: the repository's
// annex.uuid ("" when it has none).
func restoreUUID(ctx context.Context, g annex.Git) string {
	out, err := g.Output(ctx, nil, "config", "--get", "annex.uuid")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
