package ui

import (
	"path"
	"slices"
	"strings"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// fileTree indexes the files loaded so far by folder, for widget.Tree.
// Node IDs: "" is the root; a shard is its name; a folder or a file is
// "shard/path/in/shard" (shard names have no slash).
type fileTree struct {
	children map[string][]string
	files    map[string]control.File
	known    map[string]bool
}

func newFileTree() *fileTree {
	return &fileTree{children: map[string][]string{}, files: map[string]control.File{}, known: map[string]bool{"": true}}
}

func fileID(f control.File) string { return f.Shard + "/" + f.Path }

// add puts a page of files in the tree, creating their folders.
func (t *fileTree) add(files []control.File) {
	touched := map[string]bool{}
	link := func(parent, id string) {
		if !t.known[id] {
			t.known[id] = true
			t.children[parent] = append(t.children[parent], id)
			touched[parent] = true
		}
	}
	for _, f := range files {
		parent := f.Shard
		link("", parent)
		dirs := strings.Split(f.Path, "/")
		for i := range len(dirs) - 1 {
			id := f.Shard + "/" + strings.Join(dirs[:i+1], "/")
			link(parent, id)
			parent = id
		}
		id := fileID(f)
		t.files[id] = f
		link(parent, id)
	}
	for parent := range touched {
		t.sort(t.children[parent])
	}
}

// sort puts folders first, then files, each by name.
func (t *fileTree) sort(ids []string) {
	slices.SortFunc(ids, func(a, b string) int {
		if fa, fb := t.isBranch(a), t.isBranch(b); fa != fb {
			if fa {
				return -1
			}
			return 1
		}
		return strings.Compare(strings.ToLower(t.name(a)), strings.ToLower(t.name(b)))
	})
}

func (t *fileTree) childIDs(id string) []string { return t.children[id] }

func (t *fileTree) isBranch(id string) bool {
	_, file := t.files[id]
	return !file
}

func (t *fileTree) file(id string) (control.File, bool) {
	f, ok := t.files[id]
	return f, ok
}

// update replaces a file already in the tree (after a release).
func (t *fileTree) update(f control.File) {
	if _, ok := t.files[fileID(f)]; ok {
		t.files[fileID(f)] = f
	}
}

// name is a node's last path element.
func (t *fileTree) name(id string) string { return path.Base(id) }

// size is how many files the tree holds.
func (t *fileTree) size() int { return len(t.files) }
