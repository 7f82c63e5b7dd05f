package annex

// Git plumbing for reading git-annex branches in bulk: which files changed
// between two commits, and many objects read through one `git cat-file
// --batch`, so no reader starts a git per file.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Change is one file that differs between two trees.
type Change struct {
	Status  byte   // 'A' added, 'M' modified, 'D' deleted, 'T' type changed
	OldMode string // "000000" when added
	NewMode string // "000000" when deleted
	OldSHA  string
	NewSHA  string
	Path    string
}

// DiffTree lists the files that differ between from and to (commits or
// trees), recursively. Unchanged subtrees are skipped by hash, so the cost
// follows the size of the change, not of the tree.
func DiffTree(ctx context.Context, g Git, from, to string) ([]Change, error) {
	out, err := g.Output(ctx, nil, "diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", from, to)
	if err != nil {
		return nil, fmt.Errorf("compare %s with %s: %w", short(from), short(to), err)
	}
	var changes []Change
	recs := bytes.Split(out, []byte{0})
	for i := 0; i+1 < len(recs); i += 2 {
		meta := string(recs[i])
		f := strings.Fields(strings.TrimPrefix(meta, ":"))
		if len(f) != 5 || len(f[4]) == 0 {
			return nil, fmt.Errorf("compare %s with %s: unexpected git diff-tree output %q", short(from), short(to), meta)
		}
		changes = append(changes, Change{Status: f[4][0], OldMode: f[0], NewMode: f[1], OldSHA: f[2], NewSHA: f[3], Path: string(recs[i+1])})
	}
	return changes, nil
}

func short(rev string) string {
	if len(rev) == 40 {
		return rev[:10]
	}
	return rev
}

// Cat reads objects by name (a hash, or "rev:path") through one git
// cat-file --batch, calling fn for each in order; found is false for a name
// that does not exist. Names must not contain newlines.
func Cat(ctx context.Context, g Git, names []string, fn func(i int, data []byte, found bool) error) error {
	if len(names) == 0 {
		return nil
	}
	for _, n := range names {
		if strings.ContainsAny(n, "\n") {
			return fmt.Errorf("object name %q has a newline", n)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := g.Command(ctx, "cat-file", "--batch")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start git cat-file: %w", err)
	}
	go func() {
		w := bufio.NewWriter(stdin)
		for _, n := range names {
			if _, err := w.WriteString(n + "\n"); err != nil {
				break
			}
		}
		w.Flush()
		stdin.Close()
	}()
	r := bufio.NewReaderSize(stdout, 256*1024)
	var readErr error
	for i, n := range names {
		data, found, err := readObject(r)
		if err != nil {
			readErr = fmt.Errorf("read %s: %w", n, err)
			break
		}
		if err := fn(i, data, found); err != nil {
			readErr = err
			break
		}
	}
	if readErr != nil {
		cancel()
		io.Copy(io.Discard, stdout) // drain so git can exit
		cmd.Wait()
		return readErr
	}
	if err := cmd.Wait(); err != nil {
		return CommandError("git", []string{"cat-file"}, err, stderr.Bytes())
	}
	return nil
}

// readObject reads "<sha> <type> <size>\n<data>\n" or "<name> missing\n"
// (also "ambiguous"). Trees and commits are read like blobs.
func readObject(r *bufio.Reader) ([]byte, bool, error) {
	header, err := r.ReadString('\n')
	if err != nil {
		return nil, false, err
	}
	header = strings.TrimSuffix(header, "\n")
	if strings.HasSuffix(header, " missing") || strings.HasSuffix(header, " ambiguous") {
		return nil, false, nil
	}
	f := strings.Fields(header)
	if len(f) != 3 {
		return nil, false, fmt.Errorf("unexpected cat-file header %q", header)
	}
	size, err := strconv.Atoi(f[2])
	if err != nil {
		return nil, false, fmt.Errorf("unexpected cat-file header %q", header)
	}
	buf := make([]byte, size+1) // content plus the trailing newline
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, false, err
	}
	return buf[:size], true, nil
}

// RefTips maps every ref under prefix to the object it points at.
func RefTips(ctx context.Context, g Git, prefix string) (map[string]string, error) {
	out, err := g.Output(ctx, nil, "for-each-ref", "--format=%(objectname) %(refname)", prefix)
	if err != nil {
		return nil, fmt.Errorf("list refs: %w", err)
	}
	refs := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if sha, ref, ok := strings.Cut(line, " "); ok {
			refs[ref] = sha
		}
	}
	return refs, nil
}

// TreeEntry is one blob of a tree listing.
type TreeEntry struct {
	Mode, SHA, Path string
}

// LsTree lists every blob under rev whose path want accepts (nil: all).
func LsTree(ctx context.Context, g Git, rev string, want func(path string) bool) ([]TreeEntry, error) {
	out, err := g.Output(ctx, nil, "ls-tree", "-r", "-z", "--full-tree", rev)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", short(rev), err)
	}
	var entries []TreeEntry
	for _, rec := range bytes.Split(out, []byte{0}) {
		meta, p, ok := strings.Cut(string(rec), "\t")
		if !ok {
			continue
		}
		f := strings.Fields(meta)
		if len(f) != 3 || f[1] != "blob" || (want != nil && !want(p)) {
			continue
		}
		entries = append(entries, TreeEntry{Mode: f[0], SHA: f[2], Path: p})
	}
	return entries, nil
}
