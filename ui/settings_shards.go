package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// shardsCard lists the shards the donor helps with and their collections,
// takes another one (of a collection the donor picks, or where it is
// needed most) and gives one back (after a confirmation). Shown only when
// the agent can (control.Sharder).
type shardsCard struct {
	u       *UI
	sh      control.Sharder
	content fyne.CanvasObject
	rows    *fyne.Container
	shown   string
	result  *widget.Label
}

func newShardsCard(u *UI) *shardsCard {
	sh, ok := u.api.(control.Sharder)
	if !ok {
		return nil
	}
	c := &shardsCard{u: u, sh: sh, rows: container.NewVBox(), result: widget.NewLabel("")}
	c.result.Wrapping = fyne.TextWrapWord
	add := widget.NewButtonWithIcon("Take another shard…", theme.ContentAddIcon(), c.askCollection)
	c.content = widget.NewCard("Shards", "", container.NewVBox(c.rows,
		note("A shard is a part of a collection. Take another one of a collection you care about, or give one "+
			"back: its files go as soon as other donors hold enough copies of them."),
		container.NewBorder(nil, nil, add, nil, c.result)))
	return c
}

func (c *shardsCard) show(s control.Status) {
	var texts []string
	for _, sh := range s.Shards {
		texts = append(texts, shardRowText(sh))
	}
	key := strings.Join(texts, "\n")
	if key == c.shown && len(c.rows.Objects) > 0 {
		return
	}
	c.shown = key
	c.rows.RemoveAll()
	for i, sh := range s.Shards {
		var remove fyne.CanvasObject
		if len(s.Shards) > 1 && !sh.Leaving { // the last one goes with "leave"
			name := sh.Name
			remove = widget.NewButtonWithIcon("Give back…", theme.DeleteIcon(), func() { c.confirmRemove(name) })
		}
		c.rows.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.StorageIcon()), remove, widget.NewLabel(texts[i])))
	}
}

// shardRowText is one shard's line: "shard-0001 · music · 120 of 5,000 files · giving back".
func shardRowText(sh control.ShardStatus) string {
	text := sh.Name
	if sh.Collection != "" {
		text += " · " + sh.Collection
	}
	text += fmt.Sprintf(" · %d of %d files", sh.FilesHeld, sh.Files)
	if sh.Leaving {
		text += " · giving back"
	}
	return text
}

// askCollection lists the hub's collections with their need and takes a
// shard of the one picked.
func (c *shardsCard) askCollection() {
	var cols []control.Collection
	c.u.call(func(ctx context.Context) (err error) {
		cols, err = c.sh.Collections(ctx)
		return err
	}, func(err error) {
		if err != nil {
			c.result.SetText("Couldn't ask the hub for its collections: " + err.Error())
			return
		}
		names := []string{neediest}
		for _, col := range cols {
			names = append(names, col.Name)
		}
		pick := widget.NewRadioGroup(names, nil)
		pick.SetSelected(neediest)
		body := container.NewVBox(needBars(cols), pick)
		d := dialog.NewCustomConfirm("Take another shard", "Take it", "Cancel", body, func(ok bool) {
			if ok {
				c.add(pick.Selected)
			}
		}, c.u.win)
		d.Resize(fyne.NewSize(640, 0))
		d.Show()
	})
}

func (c *shardsCard) add(choice string) {
	collection := choice
	if choice == neediest {
		collection = ""
	}
	c.result.SetText("Asking the hub for a shard…")
	var got control.ShardStatus
	c.u.call(func(ctx context.Context) (err error) {
		got, err = c.sh.AddShard(ctx, collection)
		return err
	}, func(err error) {
		if err != nil {
			c.result.SetText("Couldn't take another shard: " + err.Error())
			return
		}
		c.result.SetText(fmt.Sprintf("You now also help with %s (%d files).", got.Name, got.Files))
		c.u.refreshAsync()
	})
}

func (c *shardsCard) confirmRemove(name string) {
	d := dialog.NewConfirm("Give "+name+" back?",
		"Shardkeeper downloads nothing more for it. Its files go as soon as other donors hold enough copies "+
			"of them (at the latest in 30 days); then the hub forgets you in this shard.", func(yes bool) {
			if yes {
				c.remove(name)
			}
		}, c.u.win)
	d.SetConfirmText("Give back")
	d.SetDismissText("Keep it")
	d.Show()
}

func (c *shardsCard) remove(name string) {
	c.u.call(func(ctx context.Context) error {
		return c.sh.RemoveShard(ctx, name)
	}, func(err error) {
		if err != nil {
			c.result.SetText("Couldn't give " + name + " back: " + err.Error())
			return
		}
		c.result.SetText("Giving " + name + " back as other donors take over its files.")
		c.u.refreshAsync()
	})
}
