// Package compact keeps a shard's repository small for years. The
// hub's git-annex branch and every donor's ref (refs/heads/donors/<uuid>/
// git-annex, each audited when it was pushed) are union-merged into one
// tree, each location log cut down to its newest line per repository, and
// committed as a new history of one commit that carries git-annex's own
// "forget git history" marker (transitions.log, as `git annex forget`
// writes it). The hub's branch and every donor ref then point at that
// commit, and the repository is repacked, so the old history goes.
//
// A donor's git-annex that fetches the new branch sees the marker, performs
// the same transition on its own branch (a new commit whose parent is the
// hub's new one, holding the union of both) and goes on as before: no
// re-clone, and its next push is a fast-forward of its ref. What is kept is
// in docs/compaction.md.
package compact

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
)

// TransitionsLog is git-annex's record of the transitions its branch went
// through; ForgetGitHistory is the one `git annex forget` makes.
const (
	TransitionsLog   = "transitions.log"
	ForgetGitHistory = "ForgetGitHistory"
)

// committer signs the compacted commit, like the build's commits.
const committer = "Shardkeeper <shardkeeper@localhost.invalid>"

// tmpRef holds the new commit between fast-import and the ref transaction.
const tmpRef = "refs/shardhub/compact"

// ErrMoved says a branch moved while the compaction read it (a donor
// pushed): nothing was changed, and running again is safe.
var ErrMoved = errors.New("a branch moved during compaction (a donor pushed); nothing was changed, run it again")

// Options say how a shard is compacted.
type Options struct {
	// Git runs in the shard's bare repository (Dir).
	Git annex.Git
	// Now stamps the transition and the commit (time.Now when nil).
	Now func() time.Time
	// PruneExpire is git prune's --expire for loose objects no ref reaches
	// ("1.hour.ago" when empty): objects of a push under way are loose and
	// unreferenced for a moment, and must not go.
	PruneExpire string
}

func (o Options) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

// Result is what one compaction did.
type Result struct {
	Shard       string `json:"shard"`
	BytesBefore int64  `json:"bytes_before"` // the repository's objects, before
	BytesAfter  int64  `json:"bytes_after"`  // and after
	Files       int    `json:"files"`        // files on the compacted branch
	Merged      int    `json:"merged"`       // files whose versions differed between refs and were merged
	DonorRefs   int    `json:"donor_refs"`   // donor refs folded in and moved to the new commit
	Commit      string `json:"commit"`       // the new git-annex branch ("" when skipped)
	Skipped     bool   `json:"skipped"`      // already compact: only repacked
}

// Repo compacts the shard repository at opts.Git.Dir.
func Repo(ctx context.Context, opts Options) (Result, error) {
	g := opts.Git
	var res Result
	before, err := Size(ctx, g)
	if err != nil {
		return res, err
	}
	res.BytesBefore = before
	tips, err := annex.RefTips(ctx, g, "refs/heads/")
	if err != nil {
		return res, err
	}
	head := tips[annex.BranchRef]
	if head == "" {
		return res, fmt.Errorf("compact %s: the shard has no git-annex branch", g.Dir)
	}
	donors := map[string]string{}
	for ref, sha := range tips {
		if annex.IsDonorRef(ref) {
			donors[ref] = sha
		}
	}
	res.DonorRefs = len(donors)
	if compactAlready(ctx, g, head, donors) {
		res.Skipped = true
	} else {
		commit, files, merged, err := write(ctx, g, head, donors, opts.now())
		if err != nil {
			return res, err
		}
		if err := moveRefs(ctx, g, head, donors, commit); err != nil {
			return res, err
		}
		res.Commit, res.Files, res.Merged = commit, files, merged
	}
	if err := Maintain(ctx, g, opts.PruneExpire); err != nil {
		return res, err
	}
	res.BytesAfter, err = Size(ctx, g)
	return res, err
}

// compactAlready: the branch is one commit with no parent and every donor
// ref is on it (nobody pushed since the last compaction).
func compactAlready(ctx context.Context, g annex.Git, head string, donors map[string]string) bool {
	for _, sha := range donors {
		if sha != head {
			return false
		}
	}
	out, err := g.Output(ctx, nil, "rev-list", "--parents", "-n", "1", head)
	return err == nil && len(strings.Fields(string(out))) == 1
}

// version is one file as the refs have it: the distinct blobs, hub first.
type version struct {
	mode  string
	blobs []string
}

// write builds the merged tree and commits it, parentless, to tmpRef.
func write(ctx context.Context, g annex.Git, head string, donors map[string]string, now time.Time) (commit string, files, merged int, err error) {
	refs := []string{head}
	for _, ref := range slices.Sorted(maps.Keys(donors)) {
		if sha := donors[ref]; !slices.Contains(refs, sha) {
			refs = append(refs, sha)
		}
	}
	paths, byPath, err := listUnion(ctx, g, refs)
	if err != nil {
		return "", 0, 0, err
	}
	contents, err := mergeDiffering(ctx, g, byPath)
	if err != nil {
		return "", 0, 0, err
	}
	contents[TransitionsLog] = withTransition(ctx, g, contents[TransitionsLog], byPath[TransitionsLog], now)
	if _, ok := byPath[TransitionsLog]; !ok {
		paths = append(paths, TransitionsLog)
		byPath[TransitionsLog] = &version{mode: "100644"}
	}
	err = annex.FastImport(ctx, g, nil, func(w *bufio.Writer) {
		fmt.Fprintf(w, "commit %s\ncommitter %s %d +0000\n", tmpRef, committer, now.Unix())
		annex.FastImportData(w, []byte("compacted by shardhub: new branch for transition [\"forget git history\"]\n"))
		w.WriteString("deleteall\n")
		for _, p := range paths {
			v := byPath[p]
			if data, ok := contents[p]; ok {
				fmt.Fprintf(w, "M %s inline %s\n", v.mode, p)
				annex.FastImportData(w, data)
				continue
			}
			fmt.Fprintf(w, "M %s %s %s\n", v.mode, v.blobs[0], p)
		}
	})
	if err != nil {
		return "", 0, 0, fmt.Errorf("write the compacted branch: %w", err)
	}
	commit = g.Tip(ctx, tmpRef)
	if commit == "" {
		return "", 0, 0, errors.New("write the compacted branch: git fast-import made no commit")
	}
	return commit, len(paths), len(contents), nil
}

// listUnion lists every blob path of every ref, with its distinct versions.
func listUnion(ctx context.Context, g annex.Git, refs []string) ([]string, map[string]*version, error) {
	var paths []string
	byPath := map[string]*version{}
	for _, ref := range refs {
		entries, err := annex.LsTree(ctx, g, ref, nil)
		if err != nil {
			return nil, nil, err
		}
		for _, e := range entries {
			if strings.ContainsAny(e.Path, "\n") || strings.HasPrefix(e.Path, `"`) {
				return nil, nil, fmt.Errorf("compact: the branch has a file whose name git fast-import cannot take: %q", e.Path)
			}
			v := byPath[e.Path]
			if v == nil {
				v = &version{mode: e.Mode}
				byPath[e.Path] = v
				paths = append(paths, e.Path)
			}
			if !slices.Contains(v.blobs, e.SHA) {
				v.blobs = append(v.blobs, e.SHA)
			}
		}
	}
	return paths, byPath, nil
}

// mergeDiffering reads the files whose refs disagree and merges each: a
// location log to its newest line per repository (what git-annex itself
// keeps when it writes one), any other log to the union of its lines.
func mergeDiffering(ctx context.Context, g annex.Git, byPath map[string]*version) (map[string][]byte, error) {
	var names []string
	seen := map[string]bool{}
	for _, v := range byPath {
		if len(v.blobs) < 2 {
			continue
		}
		for _, b := range v.blobs {
			if !seen[b] {
				seen[b] = true
				names = append(names, b)
			}
		}
	}
	blobs := make(map[string][]byte, len(names))
	err := annex.Cat(ctx, g, names, func(i int, data []byte, found bool) error {
		if !found {
			return fmt.Errorf("compact: object %s is missing", names[i])
		}
		blobs[names[i]] = data
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for p, v := range byPath {
		if len(v.blobs) < 2 {
			continue
		}
		parts := make([][]byte, len(v.blobs))
		for i, b := range v.blobs {
			parts[i] = blobs[b]
		}
		out[p] = MergeFile(p, parts...)
	}
	return out, nil
}

// MergeFile merges versions of one git-annex branch file the way a union
// merge followed by git-annex's own compaction would: a location log keeps
// the newest line per repository; any other file keeps every distinct
// line, in the order first seen (older lines of uuid.log, trust.log and
// the like are harmless: git-annex reads the newest per repository).
func MergeFile(path string, versions ...[]byte) []byte {
	if annex.IsLocationLog(path) {
		var lines []annex.LogLine
		for _, data := range versions {
			lines = append(lines, annex.ParseLog(data)...)
		}
		return annex.FormatLog(annex.Compact(lines))
	}
	var b bytes.Buffer
	seen := map[string]bool{}
	for _, data := range versions {
		for _, l := range strings.Split(string(data), "\n") {
			if l == "" || seen[l] {
				continue
			}
			seen[l] = true
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// withTransition adds a ForgetGitHistory line stamped now to transitions.log
// (merged, or the one version the refs share, or none).
func withTransition(ctx context.Context, g annex.Git, merged []byte, v *version, now time.Time) []byte {
	cur := merged
	if cur == nil && v != nil && len(v.blobs) == 1 {
		if data, err := g.Output(ctx, nil, "cat-file", "blob", v.blobs[0]); err == nil {
			cur = data
		}
	}
	line := ForgetGitHistory + " " + annex.TimestampOf(now).String()
	return MergeFile(TransitionsLog, cur, []byte(line+"\n"))
}

// moveRefs points the hub's branch and every donor ref at commit in one
// transaction, only if none moved since they were read.
func moveRefs(ctx context.Context, g annex.Git, head string, donors map[string]string, commit string) error {
	var in strings.Builder
	in.WriteString("start\n")
	fmt.Fprintf(&in, "update %s %s %s\n", annex.BranchRef, commit, head)
	for _, ref := range slices.Sorted(maps.Keys(donors)) {
		fmt.Fprintf(&in, "update %s %s %s\n", ref, commit, donors[ref])
	}
	fmt.Fprintf(&in, "delete %s\ncommit\n", tmpRef)
	if _, err := g.Output(ctx, strings.NewReader(in.String()), "update-ref", "--stdin"); err != nil {
		g.Output(ctx, nil, "update-ref", "-d", tmpRef)
		if strings.Contains(err.Error(), "but expected") || strings.Contains(err.Error(), "cannot lock ref") {
			return ErrMoved
		}
		return fmt.Errorf("move the branches to the compacted commit: %w", err)
	}
	return nil
}

// Maintain is the hub's housekeeping of a shard repository: every pack
// (fast-import's, the pushes') into one, objects no ref reaches dropped.
func Maintain(ctx context.Context, g annex.Git, pruneExpire string) error {
	if pruneExpire == "" {
		pruneExpire = "1.hour.ago"
	}
	if _, err := g.Output(ctx, nil, "repack", "-a", "-d", "-q"); err != nil {
		return fmt.Errorf("repack %s: %w", g.Dir, err)
	}
	if _, err := g.Output(ctx, nil, "prune", "--expire="+pruneExpire); err != nil {
		return fmt.Errorf("prune %s: %w", g.Dir, err)
	}
	return nil
}

// Size is the bytes of a repository's objects, loose and packed, as
// `git count-objects -v` counts them.
func Size(ctx context.Context, g annex.Git) (int64, error) {
	out, err := g.Output(ctx, nil, "count-objects", "-v")
	if err != nil {
		return 0, fmt.Errorf("measure %s: %w", g.Dir, err)
	}
	var kib int64
	for _, line := range strings.Split(string(out), "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if ok && (k == "size" || k == "size-pack") {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			kib += n
		}
	}
	return kib * 1024, nil
}
