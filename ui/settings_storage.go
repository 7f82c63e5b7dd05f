package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// storageCard lists the storage locations, adds one (folder dialog, then
// a budget) and removes one (after a confirmation). The agent checks both:
// its refusals are shown as it words them.
type storageCard struct {
	*listCard

	// chooseFolder asks for a folder; tests replace the dialog.
	chooseFolder func(chosen func(path string))
}

func newStorageCard(u *UI) *storageCard {
	c := &storageCard{}
	c.chooseFolder = c.folderDialog
	c.listCard = newListCard(u, "Storage locations",
		"A folder on another drive, also one that comes and goes, can hold files too, each "+
			"with its own budget. New files go where there is the most room.",
		"Add a folder or drive…", func() { c.chooseFolder(c.askBudget) })
	return c
}

func (c *storageCard) show(s control.Status) {
	locs := s.Locations
	if len(locs) == 0 && s.Storage != "" {
		locs = []control.Location{{Path: s.Storage, Online: true}}
	}
	var rows []listRow
	for _, l := range locs {
		r := listRow{icon: theme.FolderIcon(), text: storageRowText(l, l.Path == s.Storage), removeText: "Remove…"}
		if l.Path != s.Storage { // the main folder stays while the donor donates
			path := l.Path
			r.remove = func() { c.confirmRemove(path) }
		}
		rows = append(rows, r)
	}
	c.showRows(rows, "No storage folder yet.")
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
	c.change(func(ctx context.Context) error {
		_, err := c.u.api.AddStorage(ctx, path, budget)
		return err
	}, "Couldn't add "+path, func() string {
		return "Added " + path + ". New files go there when it has the most room."
	})
}

func (c *storageCard) confirmRemove(path string) {
	c.confirm("Stop using "+path+"?",
		"Shardkeeper forgets this folder and deletes only its small marker file there. "+
			"A folder that still holds files has to give them back first.", "Remove",
		func() { c.remove(path) })
}

func (c *storageCard) remove(path string) {
	c.change(func(ctx context.Context) error {
		return c.u.api.RemoveStorage(ctx, path)
	}, "Couldn't remove "+path, func() string {
		return "Removed " + path + " from your storage folders."
	})
}
