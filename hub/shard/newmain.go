package shard

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
)

// git fast-import finds a path's place in a directory by a linear search:
// 100k files in one directory take it 20 s. So a new shard's main branch
// gets its symlinks from fast-import as bare blobs, and its directories
// from git mktree, which sorts: linear in any layout.

// dirNode is one directory of the main branch being built.
type dirNode struct {
	files []string // "<mode> blob <id>\t<name>" lines, mktree's input
	dirs  map[string]*dirNode
	order []string // subdirectory names, first seen first
}

func (d *dirNode) sub(name string) *dirNode {
	if c, ok := d.dirs[name]; ok {
		return c
	}
	if d.dirs == nil {
		d.dirs = map[string]*dirNode{}
	}
	c := &dirNode{}
	d.dirs[name], d.order = c, append(d.order, name)
	return c
}

// newMainBranch writes the main branch of a new shard and returns its
// commit.
func newMainBranch(ctx context.Context, g annex.Git, name string, ct content, now time.Time) (string, error) {
	marks := filepath.Join(g.Dir, "shardhub-main-marks")
	defer os.Remove(marks)
	err := fastImport(ctx, g, marks, func(s *stream) {
		for i, r := range ct.recs {
			fmt.Fprintf(s.w, "blob\nmark :%d\n", i+1)
			writeData(s.w, []byte(annex.SymlinkTarget(r.path, r.key)))
		}
	})
	if err != nil {
		return "", err
	}
	blobs, err := readMarks(marks)
	if err != nil {
		return "", err
	}
	root := &dirNode{}
	for i, r := range ct.recs {
		d, rest := root, r.path
		for {
			dir, more, ok := strings.Cut(rest, "/")
			if !ok {
				break
			}
			d, rest = d.sub(dir), more
		}
		d.files = append(d.files, "120000 blob "+blobs[i+1]+"\t"+rest)
	}
	tree, err := writeTrees(ctx, g, root)
	if err != nil {
		return "", err
	}
	return commitTree(ctx, g, tree, now, fmt.Sprintf("shardhub: %s, %d paths", name, len(ct.recs)))
}

// writeTrees writes root and every directory under it with one git mktree
// --batch, children first, and returns root's tree.
func writeTrees(ctx context.Context, g annex.Git, root *dirNode) (string, error) {
	cmd := g.Command(ctx, "mktree", "-z", "--batch")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start git mktree: %w", err)
	}
	w, r := bufio.NewWriterSize(stdin, 1<<20), bufio.NewReader(stdout)
	var write func(d *dirNode) (string, error)
	write = func(d *dirNode) (string, error) {
		lines := d.files
		for _, name := range d.order {
			id, err := write(d.dirs[name])
			if err != nil {
				return "", err
			}
			lines = append(lines, "040000 tree "+id+"\t"+name)
		}
		for _, l := range lines {
			w.WriteString(l)
			w.WriteByte(0)
		}
		w.WriteByte(0) // an empty record ends a tree
		if err := w.Flush(); err != nil {
			return "", err
		}
		id, err := r.ReadString('\n')
		return strings.TrimSpace(id), err
	}
	id, werr := write(root)
	stdin.Close()
	io.Copy(io.Discard, r) // drain, so mktree can exit
	if err := cmd.Wait(); err != nil {
		return "", annex.CommandError("git", []string{"mktree"}, err, []byte(stderr.String()))
	}
	if werr != nil {
		return "", fmt.Errorf("git mktree: %w", werr)
	}
	return id, nil
}
