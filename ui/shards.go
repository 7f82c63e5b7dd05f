package ui

import (
	"reflect"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

var shardColumns = []struct {
	title string
	width float32
}{
	{"Shard", 280},
	{"Files held", 200},
	{"Size", 110},
}

// shardList is the table of shards this donor holds, or a sentence saying
// there are none yet (an empty table with headers looks broken).
type shardList struct {
	content fyne.CanvasObject
	table   *widget.Table
	empty   *widget.Label
	rows    []control.ShardStatus
}

func newShardList() *shardList {
	l := &shardList{empty: widget.NewLabel("No shards yet: the agent picks some once it has joined an archive.")}
	l.empty.Wrapping = fyne.TextWrapWord
	l.empty.Importance = widget.MediumImportance

	l.table = widget.NewTable(
		func() (int, int) { return len(l.rows), len(shardColumns) },
		func() fyne.CanvasObject {
			c := widget.NewLabel("")
			c.Truncation = fyne.TextTruncateEllipsis
			return c
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(l.cell(id))
		},
	)
	l.table.ShowHeaderRow = true
	l.table.CreateHeader = func() fyne.CanvasObject {
		h := widget.NewLabel("")
		h.TextStyle = fyne.TextStyle{Bold: true}
		return h
	}
	l.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(shardColumns) {
			o.(*widget.Label).SetText(shardColumns[id.Col].title)
		}
	}
	for i, c := range shardColumns {
		l.table.SetColumnWidth(i, c.width)
	}
	l.content = container.NewStack(l.table, l.empty)
	l.show(nil)
	return l
}

func (l *shardList) cell(id widget.TableCellID) string {
	if id.Row < 0 || id.Row >= len(l.rows) {
		return ""
	}
	sh := l.rows[id.Row]
	switch id.Col {
	case 0:
		return sh.Name
	case 1:
		return shardFilesText(sh)
	case 2:
		return bytesText(sh.BytesHeld)
	}
	return ""
}

// show replaces the rows; it runs on the UI thread.
func (l *shardList) show(shards []control.ShardStatus) {
	if len(shards) > 0 && reflect.DeepEqual(shards, l.rows) && l.table.Visible() {
		return // unchanged: no repaint
	}
	l.rows = append(l.rows[:0], shards...)
	if len(l.rows) == 0 {
		l.table.Hide()
		l.empty.Show()
		return
	}
	l.empty.Hide()
	l.table.Show()
	l.table.Refresh()
}
