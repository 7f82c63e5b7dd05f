package ui

import (
	"context"
	"fmt"

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
	*listCard
	sh control.Sharder
}

func newShardsCard(u *UI) *shardsCard {
	sh, ok := u.api.(control.Sharder)
	if !ok {
		return nil
	}
	c := &shardsCard{sh: sh}
	c.listCard = newListCard(u, "Shards",
		"A shard is a part of a collection. Take another one of a collection you care about, or give one "+
			"back: its files go as soon as other donors hold enough copies of them.",
		"Take another shard…", c.askCollection)
	return c
}

func (c *shardsCard) show(s control.Status) {
	var rows []listRow
	for _, sh := range s.Shards {
		r := listRow{icon: theme.StorageIcon(), text: shardRowText(sh), removeText: "Give back…"}
		if len(s.Shards) > 1 && !sh.Leaving { // the last one goes with "leave"
			name := sh.Name
			r.remove = func() { c.confirmRemove(name) }
		}
		rows = append(rows, r)
	}
	c.showRows(rows, "")
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
	c.change(func(ctx context.Context) (err error) {
		got, err = c.sh.AddShard(ctx, collection)
		return err
	}, "Couldn't take another shard", func() string {
		return fmt.Sprintf("You now also help with %s (%d files).", got.Name, got.Files)
	})
}

func (c *shardsCard) confirmRemove(name string) {
	c.confirm("Give "+name+" back?",
		"Shardkeeper downloads nothing more for it. Its files go as soon as other donors hold enough copies "+
			"of them (at the latest in 30 days); then the hub forgets you in this shard.", "Give back",
		func() { c.remove(name) })
}

func (c *shardsCard) remove(name string) {
	c.change(func(ctx context.Context) error {
		return c.sh.RemoveShard(ctx, name)
	}, "Couldn't give "+name+" back", func() string {
		return "Giving " + name + " back as other donors take over its files."
	})
}
