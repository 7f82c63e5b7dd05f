package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// listCard is the shape of the settings cards that list things the donor
// can add and give back (storage locations, shards): a row per thing with
// an optional remove button, a note, an add button and a line that says
// how the last change went. The storage and shards cards fill it in.
type listCard struct {
	u       *UI
	content fyne.CanvasObject
	rows    *fyne.Container
	shown   string // the rows drawn, to redraw only on a change
	result  *widget.Label
}

// listRow is one row of a listCard; remove is nil when it cannot go.
type listRow struct {
	icon       fyne.Resource
	text       string
	removeText string
	remove     func()
}

func newListCard(u *UI, title, help, addText string, add func()) *listCard {
	c := &listCard{u: u, rows: container.NewVBox(), result: widget.NewLabel("")}
	c.result.Wrapping = fyne.TextWrapWord
	addBtn := widget.NewButtonWithIcon(addText, theme.ContentAddIcon(), add)
	c.content = widget.NewCard(title, "", container.NewVBox(c.rows, note(help),
		container.NewBorder(nil, nil, addBtn, nil, c.result)))
	return c
}

// showRows draws rows, or the empty note when there are none (and empty is
// not ""), unless they are what is drawn already.
func (c *listCard) showRows(rows []listRow, empty string) {
	var texts []string
	for _, r := range rows {
		texts = append(texts, r.text)
	}
	key := strings.Join(texts, "\n")
	if key == c.shown && len(c.rows.Objects) > 0 {
		return
	}
	c.shown = key
	c.rows.RemoveAll()
	for _, r := range rows {
		var remove fyne.CanvasObject
		if r.remove != nil {
			remove = widget.NewButtonWithIcon(r.removeText, theme.DeleteIcon(), r.remove)
		}
		c.rows.Add(container.NewBorder(nil, nil, widget.NewIcon(r.icon), remove, widget.NewLabel(r.text)))
	}
	if len(rows) == 0 && empty != "" {
		c.rows.Add(note(empty))
	}
}

// confirm asks title/message with yes and "Keep it", and runs act on yes.
func (c *listCard) confirm(title, message, yes string, act func()) {
	d := dialog.NewConfirm(title, message, func(ok bool) {
		if ok {
			act()
		}
	}, c.u.win)
	d.SetConfirmText(yes)
	d.SetDismissText("Keep it")
	d.Show()
}

// change runs call on the agent; its error is shown after failed+": ",
// else done() is shown and the window refreshed.
func (c *listCard) change(call func(ctx context.Context) error, failed string, done func() string) {
	c.u.call(call, func(err error) {
		if err != nil {
			c.result.SetText(failed + ": " + err.Error())
			return
		}
		c.result.SetText(done())
		c.u.refreshAsync()
	})
}
