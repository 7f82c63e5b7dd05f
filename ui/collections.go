package ui

import (
	"context"
	"fmt"
	"math"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/internal/region"
)

// Collection is one of a hub's collections and its need.
type Collection = control.Collection

// JoinChoice is what the donor chose in the wizard.
type JoinChoice struct {
	Hub, Storage string
	Budget       int64
	Collection   string // "": wherever it is needed most
	Region       string // "": not said
}

// Chooser is a Joiner that lets the donor choose a collection and a
// region: the wizard then shows the hub's collections with their need.
type Chooser interface {
	Joiner
	// Collections lists the hub's collections, neediest first (an older
	// hub without collections: an empty list).
	Collections(ctx context.Context, hub string) ([]Collection, error)
	JoinWith(ctx context.Context, c JoinChoice) error
}

// neediest is the choice "wherever it is needed most".
const neediest = "Wherever it is needed most"

// regionNotSaid is the region choice of a donor who does not say.
const regionNotSaid = "Rather not say"

// showCollections asks the hub for its collections and lets the donor
// pick one, and its region; a hub without collections goes on to storage.
func (f *FirstRun) showCollections(ch Chooser) {
	hub := strings.TrimSpace(f.hub.Text)
	f.goAsync(func() {
		cols, err := ch.Collections(f.ctx, hub)
		if f.ctx.Err() != nil {
			return
		}
		fyne.Do(func() {
			if err != nil || len(cols) == 0 {
				f.showStorage() // the join will say what is wrong with the hub
				return
			}
			f.pickCollection(cols)
		})
	})
}

// pickCollection is the wizard's "What will you protect?" screen.
func (f *FirstRun) pickCollection(cols []Collection) {
	names := []string{neediest}
	for _, c := range cols {
		names = append(names, c.Name)
	}
	pick := widget.NewRadioGroup(names, func(s string) {
		f.collection = ""
		if s != neediest {
			f.collection = s
		}
	})
	pick.Required = true
	if f.collection == "" {
		pick.SetSelected(neediest)
	} else {
		pick.SetSelected(f.collection)
	}
	body := container.NewVBox(
		wrapped("This archive has several collections. Each bar shows how much of a collection still lacks copies. "+
			"Pick one you care about, or let the archive send you where help is needed most."),
		needBars(cols), pick, widget.NewSeparator(), heading("Roughly where are you?"),
		wrapped("Optional. Copies of each file are spread over places, so a flood or an outage in one place loses nothing. "+
			"Only the continent is used."),
		f.regionSelect(),
	)
	f.page(1, "What will you protect?", body,
		widget.NewButtonWithIcon("Back", theme.NavigateBackIcon(), f.showWelcome),
		widget.NewButtonWithIcon("Next", theme.NavigateNextIcon(), f.showStorage))
}

// needBars shows each collection with its need as a bar.
func needBars(cols []Collection) fyne.CanvasObject {
	grid := container.NewGridWithColumns(2)
	for _, c := range cols {
		name := widget.NewLabel(c.Name)
		name.TextStyle = fyne.TextStyle{Bold: true}
		if c.Description != "" {
			name.SetText(c.Name + " — " + c.Description)
		}
		name.Truncation = fyne.TextTruncateEllipsis
		bar := widget.NewProgressBar()
		bar.SetValue(c.Need())
		lacking, files := c.FilesBelowTarget, c.Files
		bar.TextFormatter = func() string {
			return fmt.Sprintf("%d%% lacks copies (%d of %d files)", int(math.Round(100*bar.Value)), lacking, files)
		}
		bar.Refresh()
		grid.Add(name)
		grid.Add(bar)
	}
	return grid
}

// regionSelect offers the regions, the time zone's suggestion chosen.
func (f *FirstRun) regionSelect() *widget.Select {
	opts := append([]string{regionNotSaid}, annex.Regions...)
	sel := widget.NewSelect(opts, func(s string) {
		f.region = s
		if s == regionNotSaid {
			f.region = ""
		}
	})
	if f.region == "" && !f.regionAsked {
		f.region = f.opts.Region
		if f.region == "" {
			f.region = region.Local()
		}
		f.regionAsked = true
	}
	if f.region == "" {
		sel.SetSelected(regionNotSaid)
	} else {
		sel.SetSelected(f.region)
	}
	return sel
}

// joinHub joins with the donor's choice when the joiner takes one.
func (f *FirstRun) joinHub(ctx context.Context, c JoinChoice) error {
	if ch, ok := f.j.(Chooser); ok {
		return ch.JoinWith(ctx, c)
	}
	return f.j.Join(ctx, c.Hub, c.Storage, c.Budget)
}

// addChoiceSummary adds the collection and region to the join summary.
func (f *FirstRun) addChoiceSummary(form *widget.Form) {
	if _, ok := f.j.(Chooser); !ok {
		return
	}
	col, reg := f.collection, f.region
	if col == "" {
		col = neediest
	}
	if reg == "" {
		reg = regionNotSaid
	}
	form.Append("Collection", widget.NewLabel(col))
	form.Append("Region", widget.NewLabel(reg))
}
