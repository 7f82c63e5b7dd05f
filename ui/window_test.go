package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
)

func TestAgentErrorIsShownInPlainLanguage(t *testing.T) {
	api := &fakeAPI{statusErr: errNoSocket}
	u := newTestUI(t, test.NewTempApp(t), api)
	w := u.Window()

	if err := u.Refresh(t.Context()); err == nil {
		t.Fatal("Refresh returned no error")
	}
	want := "Can't reach the Shardkeeper agent: dial unix /run/shardkeeper.sock: connect: no such file or directory"
	requireText(t, w, want)
	requireText(t, w, "Waiting for the agent")
	if hasText(w, "Archive hub: none yet") {
		t.Error("shows details although the agent never answered")
	}
	if b := findButton(t, w, "Pause…"); !b.Disabled() {
		t.Error("Pause is enabled although the agent can't be reached")
	}

	// The agent comes back: the message goes away.
	api.set(func(f *fakeAPI) { f.statusErr, f.status = nil, sampleStatus() })
	refresh(t, u)
	requireText(t, w, "Protecting 1,234 files · 12.0 GB")
	if hasText(w, want) {
		t.Error("error message still shown after the agent answered")
	}
	if b := findButton(t, w, "Pause…"); b.Disabled() {
		t.Error("Pause still disabled after the agent answered")
	}
}

func TestPauseFailureIsShown(t *testing.T) {
	api := &fakeAPI{status: sampleStatus(), actionErr: errNoSocket}
	u := newTestUI(t, test.NewTempApp(t), api)
	refresh(t, u)
	u.pause(pauseChoices[1])
	requireText(t, u.Window(), "Couldn't pause: "+errNoSocket.Error())
	findButton(t, u.Window(), "Pause…") // still not paused

	api.set(func(f *fakeAPI) { f.actionErr = nil })
	u.pause(pauseChoices[1])
	if hasTextContaining(u.Window(), "Couldn't pause") {
		t.Error("the old failure is still shown after a pause that worked")
	}
}

// Ctrl+1…5 select the tabs; Ctrl+F goes to the file search. They are
// main-menu shortcuts, so they work even while an entry has the focus.
func TestShortcutsSelectTabs(t *testing.T) {
	u := newTestUI(t, test.NewTempApp(t), &fakeAPI{status: sampleStatus(), files: sampleFiles()})
	refresh(t, u)
	c := u.Window().Canvas()
	menu := u.Window().MainMenu()
	if menu == nil {
		t.Fatal("no main menu")
	}
	press := func(k fyne.KeyName) {
		t.Helper()
		want := &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}
		for _, m := range menu.Items {
			for _, it := range m.Items {
				if it.Shortcut != nil && it.Shortcut.ShortcutName() == want.ShortcutName() {
					it.Action()
					return
				}
			}
		}
		t.Fatalf("no menu item has the shortcut %s", want.ShortcutName())
	}
	for i, tc := range []struct {
		key   fyne.KeyName
		title string
	}{
		{fyne.Key2, spaceTitle}, {fyne.Key3, browseTitle}, {fyne.Key4, activityTitle},
		{fyne.Key5, settingsTitle}, {fyne.Key1, overviewTitle},
	} {
		press(tc.key)
		if got := u.view.tabs.Selected().Text; got != tc.title {
			t.Errorf("shortcut %d (%s) selected %q, want %q", i, tc.key, got, tc.title)
		}
	}
	press(fyne.KeyF)
	if u.view.tabs.Selected().Text != browseTitle || c.Focused() != u.view.browse.search {
		t.Errorf("Ctrl+F: tab %q, focus %v; want the browse search", u.view.tabs.Selected().Text, c.Focused())
	}
	if q := menu.Items[0].Items[0]; !q.IsQuit || q.Label != "Quit (keeps protecting in the background)" {
		t.Errorf("first menu's quit item %q (IsQuit %v)", q.Label, q.IsQuit)
	}
}

// The window stays readable at 1280×800 and smaller: its content never asks
// for more.
func TestWindowFitsSmallScreens(t *testing.T) {
	api := &fakeAPI{status: sampleStatus(), files: sampleFiles()}
	u := newTestUI(t, test.NewTempApp(t), api)
	refresh(t, u)
	for i := range u.view.tabs.Items {
		selectTab(u, i)
		if min := u.view.content.MinSize(); min.Width > 1024 || min.Height > 720 {
			t.Errorf("tab %s needs %v; want at most 1024×720", u.view.tabs.Items[i].Text, min)
		}
	}
}
