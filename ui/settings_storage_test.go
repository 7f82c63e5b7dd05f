package ui

import (
	"errors"
	"reflect"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// storageUI is the settings tab over a donor with a second folder on a
// drive; the folder dialog answers /media/ann/Backup/shardkeeper.
func storageUI(t *testing.T) (*testUI, *fakeAPI) {
	t.Helper()
	st := sampleStatus()
	st.Locations = append(st.Locations, control.Location{Path: "/media/ann/Old", Online: true, BudgetBytes: 20_000_000_000})
	api := &fakeAPI{status: st}
	u := newTestUIWith(t, test.NewTempApp(t), api, Options{FreeSpace: func(path string) (int64, error) {
		if path == "/media/ann/Backup/shardkeeper" {
			return 412_000_000_000, nil
		}
		return 0, errors.New("no such drive")
	}})
	refresh(t, u)
	selectTab(u, 4)
	u.view.settings.storage.chooseFolder = func(chosen func(string)) { chosen("/media/ann/Backup/shardkeeper") }
	return u, api
}

// formEntry is the first entry of the open dialog.
func formEntry(t *testing.T, u *testUI) *widget.Entry {
	t.Helper()
	var e *widget.Entry
	walk(u.Window().Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if w, ok := o.(*widget.Entry); ok && e == nil {
			e = w
		}
	})
	if e == nil {
		t.Fatal("no entry in the dialog")
	}
	return e
}

func TestAddStorageFolderWithBudget(t *testing.T) {
	u, api := storageUI(t)
	w := u.Window()
	requireText(t, w, "/media/ann/Old · up to 20.0 GB")

	test.Tap(findButton(t, w, "Add a folder or drive…"))
	requireText(t, w, "/media/ann/Backup/shardkeeper")
	requireText(t, w, "412 GB free on this drive")
	budget := formEntry(t, u)
	test.Type(budget, "lots")
	if !findDialogButton(t, w, "Add").Disabled() {
		t.Error("Add is enabled with a budget that is not a size")
	}
	budget.SetText("50GB")
	findDialogButton(t, w, "Add").OnTapped()
	if want := []string{"/media/ann/Backup/shardkeeper 50000000000"}; !reflect.DeepEqual(api.added, want) {
		t.Fatalf("AddStorage calls %q, want %q", api.added, want)
	}
	requireText(t, w, "Added /media/ann/Backup/shardkeeper. New files go there when it has the most room.")
	requireText(t, w, "/media/ann/Backup/shardkeeper · up to 50.0 GB")

	// Without a budget: 0, the drive's limits. The agent's refusal is shown.
	api.set(func(f *fakeAPI) {
		f.storageErr = control.Invalidf("/media/ann/Backup/shardkeeper cannot be written (permission denied): choose a folder you can write to")
	})
	test.Tap(findButton(t, w, "Add a folder or drive…"))
	findDialogButton(t, w, "Add").OnTapped()
	if len(api.added) != 2 || api.added[1] != "/media/ann/Backup/shardkeeper 0" {
		t.Fatalf("AddStorage calls %q", api.added)
	}
	requireText(t, w, "Couldn't add /media/ann/Backup/shardkeeper: /media/ann/Backup/shardkeeper cannot be written (permission denied): choose a folder you can write to")
}

func TestRemoveStorageAsksFirst(t *testing.T) {
	u, api := storageUI(t)
	w := u.Window()
	requireText(t, w, "/home/donor/Shardkeeper · main folder")
	if n := countButtons(w, "Remove…"); n != 1 {
		t.Fatalf("%d Remove buttons, want 1 (the main folder stays)", n)
	}

	test.Tap(findButton(t, w, "Remove…"))
	requireText(t, w, "Stop using /media/ann/Old?")
	findDialogButton(t, w, "Keep it").OnTapped()
	if len(api.removed) != 0 {
		t.Fatal("Keep it removed the folder")
	}

	api.set(func(f *fakeAPI) {
		f.storageErr = control.Conflictf("/media/ann/Old holds shard pd-maps-07: it cannot be removed yet")
	})
	test.Tap(findButton(t, w, "Remove…"))
	findDialogButton(t, w, "Remove").OnTapped()
	requireText(t, w, "Couldn't remove /media/ann/Old: /media/ann/Old holds shard pd-maps-07: it cannot be removed yet")

	api.set(func(f *fakeAPI) { f.storageErr = nil })
	test.Tap(findButton(t, w, "Remove…"))
	findDialogButton(t, w, "Remove").OnTapped()
	if want := []string{"/media/ann/Old", "/media/ann/Old"}; !reflect.DeepEqual(api.removed, want) {
		t.Fatalf("RemoveStorage calls %q, want %q", api.removed, want)
	}
	requireText(t, w, "Removed /media/ann/Old from your storage folders.")
	if hasTextContaining(w, "/media/ann/Old ·") || countButtons(w, "Remove…") != 0 {
		t.Error("the removed folder is still listed")
	}
}

func countButtons(w fyne.Window, text string) int {
	n := 0
	walkWindow(w, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			n++
		}
	})
	return n
}
