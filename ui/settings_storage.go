package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// storageCard lists the storage locations, adds one (folder dialog, then
// a budget) and removes one (after a confirmation). The agent checks both:
// its refusals are shown as it words them.
type storageCard struct {
	u       *UI
	content fyne.CanvasObject
	rows    *fyne.Container
	shown   string // the rows drawn, to redraw only on a change
	result  *widget.Label

	// chooseFolder asks for a folder; tests replace the dialog.
	chooseFolder func(chosen func(path string))
}

func newStorageCard(u *UI) *storageCard {
	c := &storageCard{u: u, rows: container.NewVBox(), result: widget.NewLabel("")}
	c.result.Wrapping = fyne.TextWrapWord
	c.chooseFolder = c.folderDialog
	add := widget.NewButtonWithIcon("Add a folder or drive…", theme.ContentAddIcon(), func() {
		c.chooseFolder(c.askBudget)
	})
	c.content = widget.NewCard("Storage locations", "", container.NewVBox(c.rows,
		note("A folder on another drive, also one that comes and goes, can hold files too, each "+
			"with its own budget. New files go where there is the most room."),
		container.NewBorder(nil, nil, add, nil, c.result)))
	return c
}

func (c *storageCard) show(s control.Status) {
	locs := s.Locations
	if len(locs) == 0 && s.Storage != "" {
		locs = []control.Location{{Path: s.Storage, Online: true}}
	}
	var texts []string
	for _, l := range locs {
		texts = append(texts, storageRowText(l, l.Path == s.Storage))
	}
	key := strings.Join(texts, "\n")
	if key == c.shown && len(c.rows.Objects) > 0 {
		return
	}
	c.shown = key
	c.rows.RemoveAll()
	for i, l := range locs {
		var remove fyne.CanvasObject
		if l.Path != s.Storage { // the main folder stays while the donor donates
			path := l.Path
			remove = widget.NewButtonWithIcon("Remove…", theme.DeleteIcon(), func() { c.confirmRemove(path) })
		}
		c.rows.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.FolderIcon()), remove, widget.NewLabel(texts[i])))
	}
	if len(locs) == 0 {
		c.rows.Add(note("No storage folder yet."))
	}
}

// storageRowText is one location's line: "/media/ann/Backup · up to 50 GB · not connected".
func storageRowText(l control.Location, main bool) string {
	text := l.Path
	if main {
		text += " · main folder"
	}
	if l.BudgetBytes > 0 {
		text += " · up to " + bytesText(l.BudgetBytes)
	}
	if !l.Online {
		text += " · not connected"
	}
	return text
}

func (c *storageCard) folderDialog(chosen func(path string)) {
	d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err == nil && dir != nil {
			chosen(dir.Path())
		}
	}, c.u.win)
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// askBudget shows the chosen folder's free space and asks how much of it
// Shardkeeper may use.
func (c *storageCard) askBudget(path string) {
	free := widget.NewLabel("Checking free space…")
	budget := widget.NewEntry()
	budget.SetPlaceHolder("e.g. 50 GB")
	budget.Validator = func(s string) error { _, err := parseSizeField(s); return err }
	budget.AlwaysShowValidationError = true // Add stays off while the size is not one
	items := []*widget.FormItem{
		{Text: "Folder", Widget: widget.NewLabel(path)},
		{Text: "Free space", Widget: free},
		{Text: "Use at most", Widget: budget, HintText: "empty: your limits on that drive, or half of it"},
	}
	d := dialog.NewForm("Add a storage folder", "Add", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		n, err := parseSizeField(budget.Text)
		if err != nil {
			c.result.SetText(err.Error())
			return
		}
		c.add(path, n)
	}, c.u.win)
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
	c.u.goAsync(func() { // a network drive may be slow to answer
		n, err := c.u.opts.FreeSpace(path)
		c.u.onUI(func() {
			if err != nil {
				free.SetText("Unknown (" + err.Error() + ")")
				return
			}
			free.SetText(bytesText(n) + " free on this drive")
		})
	})
}

func (c *storageCard) add(path string, budget int64) {
	c.result.SetText("Adding " + path + "…")
	c.u.call(func(ctx context.Context) error {
		_, err := c.u.api.AddStorage(ctx, path, budget)
		return err
	}, func(err error) {
		if err != nil {
			c.result.SetText("Couldn't add " + path + ": " + err.Error())
			return
		}
		c.result.SetText("Added " + path + ". New files go there when it has the most room.")
		c.u.refreshAsync()
	})
}

func (c *storageCard) confirmRemove(path string) {
	d := dialog.NewConfirm("Stop using "+path+"?",
		"Shardkeeper forgets this folder and deletes only its small marker file there. "+
			"A folder that still holds files has to give them back first.", func(yes bool) {
			if yes {
				c.remove(path)
			}
		}, c.u.win)
	d.SetConfirmText("Remove")
	d.SetDismissText("Keep it")
	d.Show()
}

func (c *storageCard) remove(path string) {
	c.u.call(func(ctx context.Context) error {
		return c.u.api.RemoveStorage(ctx, path)
	}, func(err error) {
		if err != nil {
			c.result.SetText("Couldn't remove " + path + ": " + err.Error())
			return
		}
		c.result.SetText("Removed " + path + " from your storage folders.")
		c.u.refreshAsync()
	})
}
