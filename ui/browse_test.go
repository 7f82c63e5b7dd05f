package ui

import (
	"reflect"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

func browseUI(t *testing.T, files []control.File) (*testUI, *fakeAPI, *recordingApp) {
	t.Helper()
	a := newRecordingApp(t)
	api := &fakeAPI{status: sampleStatus(), files: files}
	u := newTestUI(t, a, api)
	refresh(t, u)
	selectTab(u, 2)
	return u, api, a
}

// Browse lists the shard's files as a tree, marks the held ones, and
// releasing one asks first.
func TestBrowseListsHeldFilesAndReleaseAsks(t *testing.T) {
	u, api, _ := browseUI(t, sampleFiles())
	w := u.Window()
	if len(api.queries) != 1 || api.queries[0] != (control.FileQuery{Limit: filesPage}) {
		t.Fatalf("Files queries %+v, want one first page", api.queries)
	}
	for _, want := range []string{
		"6 files",
		"pd-books-01", "austen", "dickens",
		"emma.epub", "held here · 2 copies",
		"persuasion.epub", "3 copies",
		"pride-and-prejudice.epub", "held here · 1 copy",
		"readme.txt", "held here · 5 copies",
		"Choose a file to see its copies, open it or release it.",
	} {
		requireText(t, w, want)
	}

	b := u.view.browse
	b.tree.Select("pd-books-01/austen/pride-and-prejudice.epub")
	for _, want := range []string{"pride-and-prejudice.epub", "pd-books-01: austen/pride-and-prejudice.epub",
		"Size: 900 kB", "Held on this computer", "You hold the only donor copy"} {
		requireText(t, w, want)
	}

	test.Tap(findButton(t, w, "Release…"))
	if len(api.released) != 0 {
		t.Fatal("released without asking")
	}
	requireText(t, w, "Release pride-and-prejudice.epub?")
	requireTextContaining(t, w, "No other donor holds a copy; the archive still has the original.")
	findDialogButton(t, w, "Keep it").OnTapped()
	if len(api.released) != 0 {
		t.Fatal("Keep it released the file")
	}

	test.Tap(findButton(t, w, "Release…"))
	findDialogButton(t, w, "Release").OnTapped()
	if !reflect.DeepEqual(api.released, []string{"pd-books-01/austen/pride-and-prejudice.epub"}) {
		t.Fatalf("released %q", api.released)
	}
	requireText(t, w, "Not held here")
	requireText(t, w, "No donor holds a copy yet")
	if !findButton(t, w, "Release…").Disabled() || !findButton(t, w, "Open").Disabled() {
		t.Error("Release or Open still enabled for a file no longer held")
	}
}

func TestBrowseOpensHeldFileWithDefaultApp(t *testing.T) {
	u, _, a := browseUI(t, sampleFiles())
	u.view.browse.tree.Select("pd-books-01/austen/emma.epub")
	test.Tap(findButton(t, u.Window(), "Open"))
	want := "file:///home/donor/Shardkeeper/pd-books-01/austen/emma.epub"
	if !reflect.DeepEqual(a.opened, []string{want}) {
		t.Errorf("opened %q, want %q", a.opened, want)
	}

	u.view.browse.tree.Select("pd-books-01/austen/persuasion.epub")
	if !findButton(t, u.Window(), "Open").Disabled() {
		t.Error("Open enabled for a file not held here")
	}
}

func TestBrowseSearchAndHeldOnly(t *testing.T) {
	u, api, _ := browseUI(t, sampleFiles())
	w := u.Window()
	b := u.view.browse

	test.Type(b.search, "AUSTEN")
	if len(api.queries) != 1 {
		t.Fatalf("asked the agent on every keystroke: %d queries", len(api.queries))
	}
	u.runLater() // the typing pause is over
	if got := api.queries[len(api.queries)-1]; got.Filter != "AUSTEN" || got.Offset != 0 {
		t.Fatalf("search query %+v", got)
	}
	requireText(t, w, "3 files")
	requireText(t, w, "emma.epub")
	if hasText(w, "bleak-house.epub") {
		t.Error("a file that does not match is still listed")
	}

	test.Tap(b.heldOnly)
	if got := api.queries[len(api.queries)-1]; got.Filter != "AUSTEN" || !got.HeldOnly {
		t.Fatalf("held-only query %+v", got)
	}
	requireText(t, w, "2 files")
	if hasText(w, "persuasion.epub") {
		t.Error("a file not held here is listed under Only files held here")
	}

	b.search.SetText("no such book")
	b.search.OnSubmitted(b.search.Text)
	requireText(t, w, "No files match “no such book”.")
}

// Big shards come in pages: the donor loads more on demand.
func TestBrowsePages(t *testing.T) {
	var files []control.File
	for i := range filesPage + 50 {
		files = append(files, control.File{Shard: "big", Path: "f/" + string(rune('a'+i%26)) + string(rune('a'+i/26)), Copies: 1})
	}
	u, api, _ := browseUI(t, files)
	requireText(t, u.Window(), "Showing 200 of 250 files")
	test.Tap(findButton(t, u.Window(), "Load more"))
	if got := api.queries[len(api.queries)-1]; got.Offset != filesPage {
		t.Fatalf("second page query %+v", got)
	}
	requireText(t, u.Window(), "250 files")
	if !findButton(t, u.Window(), "Load more").Disabled() {
		t.Error("Load more enabled with every file loaded")
	}
	if u.view.browse.model.size() != 250 {
		t.Errorf("tree holds %d files, want 250", u.view.browse.model.size())
	}
}

func TestBrowseFailureIsShown(t *testing.T) {
	a := newRecordingApp(t)
	api := &fakeAPI{status: sampleStatus(), actionErr: errNoSocket}
	u := newTestUI(t, a, api)
	selectTab(u, 2)
	requireText(t, u.Window(), "Couldn't list the files: "+errNoSocket.Error())
}
