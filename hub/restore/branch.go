// Package restore is the hub's side of getting lost files back from
// donors: fire drills (the archive's copy marked lost on the shard's
// git-annex branch), restore requests, which donor is asked, verifying
// and keeping uploads in the restore area, and re-injecting verified files
// so git-annex in any clone can get them from the hub again
// (docs/restore.md).
package restore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
)

// casRetries bounds the compare-and-swap loop when another writer (a
// rebuild, the serving hub, a drill) moves the git-annex branch under us.
const casRetries = 8

// Description is the restore remote's description in uuid.log.
const Description = "shardhub restore area"

// Identity gives git the committer the hub writes the git-annex branch as.
func Identity(g annex.Git) annex.Git {
	g.Env = append(append([]string(nil), g.Env...),
		"GIT_AUTHOR_NAME=shardhub", "GIT_AUTHOR_EMAIL=shardhub@localhost",
		"GIT_COMMITTER_NAME=shardhub", "GIT_COMMITTER_EMAIL=shardhub@localhost")
	return g
}

// Edit computes the new content of some files of the git-annex branch
// from their content at tip (nil when absent); it returns only the files
// that change.
type Edit func(ctx context.Context, tip string) (map[string][]byte, error)

// UpdateBranch applies edit to refs/heads/git-annex with git plumbing and
// a compare-and-swap update-ref, reading again when the branch moved
// meanwhile. It reports whether it wrote a commit.
func UpdateBranch(ctx context.Context, g annex.Git, msg string, edit Edit) (bool, error) {
	g = Identity(g)
	for range casRetries {
		parent := g.Tip(ctx, annex.BranchRef)
		if parent == "" {
			return false, errors.New("the shard has no git-annex branch")
		}
		files, err := edit(ctx, parent)
		if err != nil {
			return false, err
		}
		if len(files) == 0 {
			return false, nil
		}
		commit, err := CommitFiles(ctx, g, parent, files, msg)
		if err != nil {
			return false, err
		}
		if _, err := g.Output(ctx, nil, "update-ref", annex.BranchRef, commit, parent); err == nil {
			return true, nil
		}
	}
	return false, fmt.Errorf("the git-annex branch kept moving while the hub wrote to it; try again")
}

// CommitFiles writes a commit on parent whose tree is parent's with files
// set, through a temporary index (never the repository's own).
func CommitFiles(ctx context.Context, g annex.Git, parent string, files map[string][]byte, msg string) (string, error) {
	dir, err := os.MkdirTemp("", "shardhub-index-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var list strings.Builder
	for i, p := range paths {
		name := filepath.Join(dir, fmt.Sprintf("blob-%d", i))
		if err := os.WriteFile(name, files[p], 0o600); err != nil {
			return "", err
		}
		list.WriteString(name + "\n")
	}
	out, err := g.Output(ctx, strings.NewReader(list.String()), "hash-object", "-w", "--no-filters", "--stdin-paths")
	if err != nil {
		return "", fmt.Errorf("write the git-annex branch's files: %w", err)
	}
	shas := strings.Fields(string(out))
	if len(shas) != len(paths) {
		return "", fmt.Errorf("write the git-annex branch's files: git hashed %d of %d", len(shas), len(paths))
	}
	ig := g
	ig.Env = append(append([]string(nil), g.Env...), "GIT_INDEX_FILE="+filepath.Join(dir, "index"))
	if _, err := ig.Output(ctx, nil, "read-tree", parent+"^{tree}"); err != nil {
		return "", fmt.Errorf("read the git-annex branch: %w", err)
	}
	var info strings.Builder
	for i, p := range paths {
		fmt.Fprintf(&info, "100644 blob %s\t%s\n", shas[i], p)
	}
	if _, err := ig.Output(ctx, strings.NewReader(info.String()), "update-index", "--add", "--index-info"); err != nil {
		return "", fmt.Errorf("stage the git-annex branch's files: %w", err)
	}
	tree, err := ig.Output(ctx, nil, "write-tree")
	if err != nil {
		return "", fmt.Errorf("write the tree: %w", err)
	}
	commit, err := g.Output(ctx, nil, "commit-tree", strings.TrimSpace(string(tree)), "-p", parent, "-m", msg)
	if err != nil {
		return "", fmt.Errorf("commit the git-annex branch: %w", err)
	}
	return strings.TrimSpace(string(commit)), nil
}

// SetLocations makes uuid's location-log line for each key say status
// (annex.StatusPresent or annex.StatusMissing), what `git annex
// setpresentkey KEY UUID 1|0` records, in one commit. A key whose newest
// line for uuid already says so is left alone. It returns the keys it
// changed.
func SetLocations(ctx context.Context, g annex.Git, keys []annex.Key, uuid string, status byte, now time.Time, msg string) ([]annex.Key, error) {
	var changed []annex.Key
	_, err := UpdateBranch(ctx, g, msg, func(ctx context.Context, tip string) (map[string][]byte, error) {
		changed = nil
		names := make([]string, len(keys))
		for i, k := range keys {
			names[i] = tip + ":" + annex.LocationLogPath(k)
		}
		files := map[string][]byte{}
		err := annex.Cat(ctx, g, names, func(i int, data []byte, found bool) error {
			if content, ok := withLine(data, uuid, status, annex.TimestampOf(now)); ok {
				files[annex.LocationLogPath(keys[i])] = content
				changed = append(changed, keys[i])
			}
			return nil
		})
		return files, err
	})
	if err != nil {
		return nil, err
	}
	return changed, nil
}

// withLine returns a location log with uuid's line set to status, and
// whether that changes it. The new line is later than uuid's newest, so
// it wins git-annex's merge.
func withLine(old []byte, uuid string, status byte, now annex.Timestamp) ([]byte, bool) {
	lines := annex.Compact(annex.ParseLog(old))
	for i, l := range lines {
		if l.Value != uuid {
			continue
		}
		if l.Status == status {
			return old, false
		}
		if !l.Time.Before(now) {
			now = annex.Timestamp{Sec: l.Time.Sec + 1}
		}
		lines[i] = annex.LogLine{Time: now, Status: status, Value: uuid}
		return annex.FormatLog(lines), true
	}
	lines = annex.Compact(append(lines, annex.LogLine{Time: now, Status: status, Value: uuid}))
	return annex.FormatLog(lines), true
}

// EnsureUUIDLog records uuid with the restore area's description in the
// branch's uuid.log, unless it is there.
func EnsureUUIDLog(ctx context.Context, g annex.Git, uuid string, now time.Time) error {
	_, err := UpdateBranch(ctx, g, "shardhub: the restore area", func(ctx context.Context, tip string) (map[string][]byte, error) {
		old, _ := g.Output(ctx, nil, "cat-file", "blob", tip+":uuid.log") // absent: empty
		for _, line := range strings.Split(string(old), "\n") {
			if f := strings.Fields(line); len(f) > 0 && f[0] == uuid {
				return nil, nil
			}
		}
		content := string(old)
		if content != "" && !strings.HasSuffix(content, "\n") {
			content += "\n"
		}
		content += uuid + " " + Description + " timestamp=" + annex.TimestampOf(now).String() + "\n"
		return map[string][]byte{"uuid.log": []byte(content)}, nil
	})
	return err
}
