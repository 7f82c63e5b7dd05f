package ui

import (
	"context"
	"reflect"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// sharderAPI is a fakeAPI whose agent takes and gives back shards.
type sharderAPI struct {
	*fakeAPI
	added, removed []string
}

func (s *sharderAPI) AddShard(ctx context.Context, collection string) (control.ShardStatus, error) {
	s.added = append(s.added, collection)
	return control.ShardStatus{Name: "music-0002", Files: 300, Collection: "B"}, nil
}

func (s *sharderAPI) RemoveShard(ctx context.Context, shard string) error {
	s.removed = append(s.removed, shard)
	return nil
}

func (s *sharderAPI) Collections(ctx context.Context) ([]control.Collection, error) {
	return (&choosingJoiner{}).Collections(ctx, "")
}

func shardsUI(t *testing.T, a fyne.App) (*testUI, *sharderAPI) {
	t.Helper()
	st := sampleStatus()
	st.Shards = []control.ShardStatus{
		{Name: "software-0001", Collection: "A", Files: 5000, FilesHeld: 1200},
		{Name: "music-0001", Collection: "B", Files: 1200, FilesHeld: 34},
	}
	api := &sharderAPI{fakeAPI: &fakeAPI{status: st, settings: control.Settings{KeepRemovedFiles: true, VerifyEveryDays: 30}}}
	u := newTestUI(t, a, api)
	refresh(t, u)
	selectTab(u, 4)
	return u, api
}

// TestSettingsShards: Settings lists the shards with their collections,
// takes another of the collection picked from the hub's list (with need
// bars), and gives one back after asking.
func TestSettingsShards(t *testing.T) {
	u, api := shardsUI(t, test.NewTempApp(t))
	w := u.Window()
	requireText(t, w, "software-0001 · A · 1200 of 5000 files")
	requireText(t, w, "music-0001 · B · 34 of 1200 files")

	test.Tap(findButton(t, w, "Take another shard…"))
	requireText(t, w, "Take another shard")
	var pick *widget.RadioGroup
	walk(w.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if r, ok := o.(*widget.RadioGroup); ok {
			pick = r
		}
	})
	if pick == nil || pick.Selected != neediest {
		t.Fatalf("collection choice %+v", pick)
	}
	pick.SetSelected("B")
	findDialogButton(t, w, "Take it").OnTapped()
	requireText(t, w, "You now also help with music-0002 (300 files).")

	if n := countButtons(w, "Give back…"); n != 2 {
		t.Fatalf("%d Give back buttons, want 2", n)
	}
	test.Tap(findButton(t, w, "Give back…"))
	findDialogButton(t, w, "Give back").OnTapped()
	if !reflect.DeepEqual(api.added, []string{"B"}) || !reflect.DeepEqual(api.removed, []string{"software-0001"}) {
		t.Fatalf("added %q, removed %q", api.added, api.removed)
	}
	requireText(t, w, "Giving software-0001 back as other donors take over its files.")
}

// TestSettingsPlacement: the region, large-file and removed-items
// settings are read from and saved to the agent.
func TestSettingsPlacement(t *testing.T) {
	u, api := shardsUI(t, test.NewTempApp(t))
	w := u.Window()
	p := u.view.settings.place
	if p.region.Selected != regionNotSaid || !p.keep.Checked || p.maxFile.Text != "" {
		t.Fatalf("loaded region %q, keep %v, max %q", p.region.Selected, p.keep.Checked, p.maxFile.Text)
	}
	p.region.SetSelected("oceania")
	p.maxFile.SetText("500 GB")
	p.keep.SetChecked(false)
	test.Tap(findButton(t, w, "Save"))
	got := api.updated[len(api.updated)-1]
	if got.Region != "oceania" || got.MaxFileBytes != 500_000_000_000 || got.KeepRemovedFiles {
		t.Fatalf("saved %+v", got)
	}
}

// TestGoldenSettingsShards: the shards card and the collection dialog.
func TestGoldenSettingsShards(t *testing.T) {
	a := goldenApp(t, theme.VariantLight)
	u, _ := shardsUI(t, a)
	u.Window().Resize(fyne.NewSize(1024, 700))
	test.Tap(findButton(t, u.Window(), "Take another shard…"))
	test.AssertImageMatches(t, "settings_shards.png", capture(u.Window()))
}
