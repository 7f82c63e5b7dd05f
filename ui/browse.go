package ui

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

const (
	// filesPage is how many files one Files call asks for.
	filesPage = 200
	// openAllUpTo: trees this small open fully; bigger ones open their shards only.
	openAllUpTo = 500
	// searchDelay lets the donor finish typing before the agent is asked.
	searchDelay = 300 * time.Millisecond
)

// browseTab is the shard's tree, loaded page by page from the Files API,
// with search by name, files held here marked, and a details pane to open
// or release the selected file.
type browseTab struct {
	u       *UI
	content fyne.CanvasObject

	search   *widget.Entry
	heldOnly *widget.Check
	count    *widget.Label
	more     *widget.Button
	tree     *widget.Tree
	model    *fileTree

	details fyne.CanvasObject
	name    *widget.Label
	path    *widget.Label
	size    *widget.Label
	held    *widget.Label
	copies  *widget.Label
	open    *widget.Button
	release *widget.Button
	choose  *widget.Label
	current string // node ID of the file shown in the details

	loaded    bool // the first page was asked for
	loading   bool
	query     control.FileQuery
	offset    int // of the next page
	total     int
	gen       int // numbers queries: an answer to an older one is dropped
	searchGen int // numbers keystrokes, for the search delay
	failed    string
}

func newBrowseTab(u *UI) *browseTab {
	b := &browseTab{
		u:      u,
		search: widget.NewEntry(),
		count:  widget.NewLabel(""),
		model:  newFileTree(),
		name:   heading(""),
		path:   widget.NewLabel(""),
		size:   widget.NewLabel(""),
		held:   widget.NewLabel(""),
		copies: widget.NewLabel(""),
		choose: note("Choose a file to see its copies, open it or release it."),
	}
	b.search.SetPlaceHolder("Search by name")
	b.search.OnChanged = b.typed
	b.search.OnSubmitted = func(string) { b.applySearch() }
	b.heldOnly = widget.NewCheck("Only files held here", func(bool) { b.applySearch() })
	b.more = widget.NewButton("Load more", func() { b.load(false) })
	b.more.Disable()
	b.count.Importance = widget.MediumImportance

	b.tree = widget.NewTree(b.childIDs, b.isBranch, b.createNode, b.updateNode)
	b.tree.OnSelected = b.selectNode

	b.path.Wrapping = fyne.TextWrapBreak
	b.name.Wrapping = fyne.TextWrapBreak
	b.open = widget.NewButtonWithIcon("Open", theme.FileIcon(), b.openSelected)
	b.release = widget.NewButtonWithIcon("Release…", theme.DeleteIcon(), b.confirmRelease)
	b.details = container.NewVBox(b.name, b.path, b.size, b.held, b.copies,
		container.NewHBox(b.open, b.release))
	b.details.Hide()

	top := container.NewVBox(
		container.NewBorder(nil, nil, nil, container.NewHBox(b.heldOnly, b.more), b.search),
		b.count,
	)
	split := container.NewHSplit(b.tree, container.NewPadded(container.NewVBox(b.choose, b.details)))
	split.Offset = 0.62
	b.content = container.NewPadded(container.NewBorder(top, nil, nil, nil, split))
	return b
}

// childIDs and isBranch go through b.model, which a new search replaces.
func (b *browseTab) childIDs(id string) []string { return b.model.childIDs(id) }

func (b *browseTab) isBranch(id string) bool { return b.model.isBranch(id) }

func (b *browseTab) show(snapshot) {}

// selected loads the first page when the donor first opens the tab.
func (b *browseTab) selected() {
	if !b.loaded {
		b.load(true)
	}
}

func (b *browseTab) typed(string) {
	b.searchGen++
	gen := b.searchGen
	b.u.after(searchDelay, func() {
		if gen == b.searchGen {
			b.applySearch()
		}
	})
}

// applySearch starts over with the current filter.
func (b *browseTab) applySearch() {
	b.searchGen++ // a pending delayed search is now moot
	q := control.FileQuery{Filter: strings.TrimSpace(b.search.Text), HeldOnly: b.heldOnly.Checked}
	if q == b.query && b.loaded {
		return
	}
	b.query = q
	b.load(true)
}

// load asks for the next page, or with reset for the first page of the
// current query.
func (b *browseTab) load(reset bool) {
	if reset {
		b.gen++
		b.loaded, b.loading, b.offset, b.total, b.failed = true, false, 0, 0, ""
		b.model = newFileTree()
		b.unselect()
	}
	if b.loading {
		return
	}
	b.loading = true
	gen := b.gen
	q := b.query
	q.Offset, q.Limit = b.offset, filesPage
	var list control.FileList
	b.u.call(func(ctx context.Context) (err error) {
		list, err = b.u.api.Files(ctx, q)
		return err
	}, func(err error) {
		if gen != b.gen {
			return
		}
		b.loading = false
		if err != nil {
			b.failed = "Couldn't list the files: " + err.Error()
		} else {
			b.model.add(list.Files)
			b.offset = list.Offset + len(list.Files)
			b.total = list.Total
		}
		b.showTree()
	})
}

func (b *browseTab) showTree() {
	b.tree.Refresh()
	if b.query.Filter != "" || b.model.size() <= openAllUpTo {
		b.tree.OpenAllBranches()
	} else {
		for _, shard := range b.model.childIDs("") {
			b.tree.OpenBranch(shard)
		}
	}
	b.count.SetText(b.countText())
	enableWidget(b.more, b.offset < b.total && b.failed == "")
}

func (b *browseTab) countText() string {
	switch {
	case b.failed != "":
		return b.failed
	case b.total == 0 && b.query.Filter != "":
		return "No files match “" + b.query.Filter + "”."
	case b.total == 0 && b.query.HeldOnly:
		return "No files held here yet."
	case b.total == 0:
		return "No files yet: the agent lists them once it has joined an archive."
	case b.offset < b.total:
		return fmt.Sprintf("Showing %s of %s files", humanize.Comma(int64(b.offset)), humanize.Comma(int64(b.total)))
	case b.total == 1:
		return "1 file"
	}
	return humanize.Comma(int64(b.total)) + " files"
}

// A tree row: [icon] name ……… detail. The Border container keeps its
// objects in the order center, left, right.
func (b *browseTab) createNode(bool) fyne.CanvasObject {
	detail := widget.NewLabel("")
	detail.Importance = widget.MediumImportance
	name := widget.NewLabel("")
	name.Truncation = fyne.TextTruncateEllipsis
	return container.NewBorder(nil, nil, widget.NewIcon(nil), detail, name)
}

func (b *browseTab) updateNode(id string, branch bool, o fyne.CanvasObject) {
	objs := o.(*fyne.Container).Objects
	name, icon, detail := objs[0].(*widget.Label), objs[1].(*widget.Icon), objs[2].(*widget.Label)
	name.SetText(b.model.name(id))
	f, isFile := b.model.file(id)
	switch {
	case !isFile && !strings.Contains(id, "/"):
		icon.SetResource(theme.StorageIcon())
		detail.SetText("shard")
	case !isFile:
		icon.SetResource(theme.FolderIcon())
		detail.SetText("")
	case f.Held:
		icon.SetResource(theme.ConfirmIcon())
		detail.SetText(fileRowText(f))
	default:
		icon.SetResource(theme.FileIcon())
		detail.SetText(fileRowText(f))
	}
}

// fileRowText: "held here · 3 copies" or "2 copies".
func fileRowText(f control.File) string {
	copies := fmt.Sprintf("%d copies", f.Copies)
	if f.Copies == 1 {
		copies = "1 copy"
	}
	if f.Held {
		return "held here · " + copies
	}
	return copies
}

func (b *browseTab) selectNode(id string) {
	f, ok := b.model.file(id)
	if !ok {
		b.tree.ToggleBranch(id)
		b.tree.UnselectAll()
		return
	}
	b.current = id
	b.showDetails(f)
}

func (b *browseTab) showDetails(f control.File) {
	b.choose.Hide()
	b.details.Show()
	b.name.SetText(b.model.name(fileID(f)))
	b.path.SetText(f.Shard + ": " + f.Path)
	b.size.SetText("Size: " + bytesText(f.Size))
	if f.Held {
		b.held.SetText("Held on this computer")
		b.held.Importance = widget.SuccessImportance
	} else {
		b.held.SetText("Not held here")
		b.held.Importance = widget.MediumImportance
	}
	b.held.Refresh()
	b.copies.SetText(copiesText(f))
	enableWidget(b.open, f.Held && f.LocalPath != "")
	enableWidget(b.release, f.Held)
}

func (b *browseTab) unselect() {
	b.current = ""
	b.tree.UnselectAll()
	b.details.Hide()
	b.choose.Show()
}

// openSelected opens a held file with the system's default application.
func (b *browseTab) openSelected() {
	f, ok := b.model.file(b.current)
	if !ok || f.LocalPath == "" {
		return
	}
	u, err := fileURL(f.LocalPath)
	if err == nil {
		err = b.u.app.OpenURL(u)
	}
	b.u.showActionError("Couldn't open "+b.model.name(b.current), err)
}

// fileURL is the file:// URL of a local path (Windows drive letters included).
func fileURL(path string) (*url.URL, error) {
	return url.Parse(storage.NewFileURI(path).String())
}

// confirmRelease asks before the agent deletes the donor's copy.
func (b *browseTab) confirmRelease() {
	id := b.current
	f, ok := b.model.file(id)
	if !ok || !f.Held {
		return
	}
	name := b.model.name(id)
	d := dialog.NewConfirm("Release "+name+"?", releaseText(f), func(yes bool) {
		if yes {
			b.releaseFile(id, f)
		}
	}, b.u.win)
	d.SetConfirmText("Release")
	d.SetDismissText("Keep it")
	d.Show()
}

func releaseText(f control.File) string {
	others := "No other donor holds a copy; the archive still has the original."
	switch n := f.Copies - 1; {
	case n == 1:
		others = "1 other donor keeps a copy."
	case n > 1:
		others = fmt.Sprintf("%d other donors keep a copy.", n)
	}
	return "Shardkeeper deletes its copy (" + bytesText(f.Size) + ") from this computer and won't fetch this file again.\n" +
		others
}

func (b *browseTab) releaseFile(id string, f control.File) {
	gen := b.gen
	b.u.call(func(ctx context.Context) error {
		return b.u.api.Release(ctx, f.Shard, f.Path)
	}, func(err error) {
		b.u.showActionError("Couldn't release "+b.model.name(id), err)
		if err != nil || gen != b.gen {
			return
		}
		f.Held, f.LocalPath, f.Copies = false, "", max(f.Copies-1, 0)
		b.model.update(f)
		b.tree.RefreshItem(id)
		if b.current == id {
			b.showDetails(f)
		}
		b.u.refreshAsync()
	})
}
