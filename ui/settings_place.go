package ui

import (
	"fyne.io/fyne/v2/widget"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/annex"
)

// placeFields are the settings of where copies go: the region, the
// large-file opt-in and what happens to files the archive removes.
type placeFields struct {
	region  *widget.Select
	maxFile *widget.Entry
	keep    *widget.Check
}

func newPlaceFields() *placeFields {
	p := &placeFields{
		region:  widget.NewSelect(append([]string{regionNotSaid}, annex.Regions...), nil),
		maxFile: widget.NewEntry(),
		keep:    widget.NewCheck("Keep files the archive removes", nil),
	}
	p.maxFile.SetPlaceHolder("e.g. 500 GB; empty: no large files")
	p.maxFile.Validator = func(s string) error { _, err := parseSizeField(s); return err }
	return p
}

func (p *placeFields) addTo(f *widget.Form) {
	f.Append("Region", p.region)
	f.Items[len(f.Items)-1].HintText = "roughly where you are, so copies spread over places; only the continent"
	f.Append("Large files", p.maxFile)
	f.Items[len(f.Items)-1].HintText = "I can hold single files up to this size (large ones then come first)"
	f.Append("Removed items", p.keep)
	f.Items[len(f.Items)-1].HintText = "off: give their space back when the archive removes them"
}

func (p *placeFields) fill(s control.Settings) {
	if s.Region == "" {
		p.region.SetSelected(regionNotSaid)
	} else {
		p.region.SetSelected(s.Region)
	}
	p.maxFile.SetText("")
	if s.MaxFileBytes > 0 {
		p.maxFile.SetText(sizeField(s.MaxFileBytes))
	}
	p.keep.SetChecked(s.KeepRemovedFiles)
}

func (p *placeFields) read(s *control.Settings) {
	s.Region = p.region.Selected
	if s.Region == regionNotSaid {
		s.Region = ""
	}
	s.MaxFileBytes, _ = parseSizeField(p.maxFile.Text)
	s.KeepRemovedFiles = p.keep.Checked
}
