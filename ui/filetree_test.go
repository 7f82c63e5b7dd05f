package ui

import (
	"reflect"
	"testing"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

func TestFileTree(t *testing.T) {
	tr := newFileTree()
	tr.add(sampleFiles()[:3])
	tr.add(append(sampleFiles()[3:], control.File{Shard: "pd-maps-07", Path: "europe.png"}))

	for id, want := range map[string][]string{
		"":                   {"pd-books-01", "pd-maps-07"},
		"pd-books-01":        {"pd-books-01/austen", "pd-books-01/dickens", "pd-books-01/readme.txt"},
		"pd-books-01/austen": {"pd-books-01/austen/emma.epub", "pd-books-01/austen/persuasion.epub", "pd-books-01/austen/pride-and-prejudice.epub"},
		"pd-maps-07":         {"pd-maps-07/europe.png"},
	} {
		if got := tr.childIDs(id); !reflect.DeepEqual(got, want) {
			t.Errorf("children of %q: %q, want %q", id, got, want)
		}
	}
	if !tr.isBranch("pd-books-01/dickens") || tr.isBranch("pd-books-01/readme.txt") || !tr.isBranch("") {
		t.Error("branches and leaves mixed up")
	}
	if tr.name("pd-books-01/austen/emma.epub") != "emma.epub" || tr.name("pd-maps-07") != "pd-maps-07" {
		t.Error("names")
	}
	if tr.size() != 7 {
		t.Errorf("size %d, want 7", tr.size())
	}
	f, _ := tr.file("pd-books-01/austen/emma.epub")
	f.Held = false
	tr.update(f)
	tr.update(control.File{Shard: "nope", Path: "x"})
	if g, _ := tr.file("pd-books-01/austen/emma.epub"); g.Held || tr.size() != 7 {
		t.Error("update did not replace the file, or added one")
	}
}
