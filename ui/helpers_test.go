package ui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// fakeAPI is an in-memory agent: Pause/Resume flip Status.Paused like the
// real one, and any call can be made to fail.
type fakeAPI struct {
	mu                     sync.Mutex
	status                 control.Status
	statusErr, actionErr   error
	statusCalls            int
	pauseCalls, resumeCall int
}

func (f *fakeAPI) Status(ctx context.Context) (control.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.statusCalls++
	if f.statusErr != nil {
		return control.Status{}, f.statusErr
	}
	return f.status, nil
}

func (f *fakeAPI) Pause(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pauseCalls++
	if f.actionErr != nil {
		return f.actionErr
	}
	f.status.Paused, f.status.State = true, control.StatePaused
	return nil
}

func (f *fakeAPI) Resume(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.resumeCall++
	if f.actionErr != nil {
		return f.actionErr
	}
	f.status.Paused, f.status.State = false, control.StateIdle
	return nil
}

func (f *fakeAPI) calls() (status, pause, resume int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.statusCalls, f.pauseCalls, f.resumeCall
}

func (f *fakeAPI) set(fn func(f *fakeAPI)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

var errNoSocket = errors.New("dial unix /run/shardkeeper.sock: connect: no such file or directory")

func sampleStatus() control.Status {
	return control.Status{
		FilesProtected: 1234,
		BytesHeld:      12_000_000,
		BudgetBytes:    50_000_000,
		State:          control.StateIdle,
		Hub:            "https://hub.example.org",
		Storage:        "/home/donor/.local/share/shardkeeper",
		Shards: []control.ShardStatus{
			{Name: "pd-books-01", Files: 1500, FilesHeld: 1200, BytesHeld: 9_000_000},
			{Name: "pd-maps-07", Files: 40, FilesHeld: 34, BytesHeld: 3_000_000},
		},
	}
}

// newTestUI builds a UI on a headless test app whose background work runs
// inline, so a tap has had all its effects when test.Tap returns.
func newTestUI(t *testing.T, a fyne.App, api control.API) *UI {
	t.Helper()
	u := New(a, api, Options{})
	u.goAsync = func(f func()) { f() }
	u.Window().Resize(fyne.NewSize(800, 700))
	t.Cleanup(u.Stop)
	return u
}

// texts returns the text of every visible widget in the window, found by
// walking the rendered widget tree.
func texts(w fyne.Window) []string {
	var out []string
	walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *widget.Label:
			out = append(out, o.Text)
		case *widget.Button:
			out = append(out, o.Text)
		case *canvas.Text:
			out = append(out, o.Text)
		}
	})
	return out
}

func hasText(w fyne.Window, want string) bool {
	for _, s := range texts(w) {
		if s == want {
			return true
		}
	}
	return false
}

func requireText(t *testing.T, w fyne.Window, want string) {
	t.Helper()
	if !hasText(w, want) {
		t.Fatalf("window does not show %q; it shows:\n  %s", want, strings.Join(texts(w), "\n  "))
	}
}

// walk visits visible objects, descending into containers and widget renderers.
func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	visit(o)
	switch o := o.(type) {
	case *fyne.Container:
		for _, c := range o.Objects {
			walk(c, visit)
		}
	case *widget.Label, *widget.Button:
		// Leaves: their text is read above.
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(o).Objects() {
			walk(c, visit)
		}
	}
}

func findButton(t *testing.T, w fyne.Window, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			found = b
		}
	})
	if found == nil {
		t.Fatalf("no %q button; window shows:\n  %s", text, strings.Join(texts(w), "\n  "))
	}
	return found
}

func findProgress(w fyne.Window) *widget.ProgressBar {
	var found *widget.ProgressBar
	walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
		if p, ok := o.(*widget.ProgressBar); ok {
			found = p
		}
	})
	return found
}

// trayApp adds a recording system tray to the headless test app, which has none.
type trayApp struct {
	fyne.App
	menu    *fyne.Menu
	icon    fyne.Resource
	trayWin fyne.Window
	menuSet int
}

func (a *trayApp) SetSystemTrayMenu(m *fyne.Menu)    { a.menu = m; a.menuSet++ }
func (a *trayApp) SetSystemTrayIcon(r fyne.Resource) { a.icon = r }
func (a *trayApp) SetSystemTrayWindow(w fyne.Window) { a.trayWin = w }
func (a *trayApp) NewWindow(title string) fyne.Window {
	return &spyWindow{Window: a.App.NewWindow(title)}
}

// spyWindow records what the test window can't tell: close interception and visibility.
type spyWindow struct {
	fyne.Window
	intercept func()
	shown     bool
}

func (w *spyWindow) SetCloseIntercept(f func()) { w.intercept = f; w.Window.SetCloseIntercept(f) }
func (w *spyWindow) Show()                      { w.shown = true; w.Window.Show() }
func (w *spyWindow) Hide()                      { w.shown = false; w.Window.Hide() }

func menuLabels(m *fyne.Menu) []string {
	var out []string
	for _, it := range m.Items {
		out = append(out, it.Label)
	}
	return out
}

func menuItem(t *testing.T, m *fyne.Menu, label string) *fyne.MenuItem {
	t.Helper()
	for _, it := range m.Items {
		if it.Label == label {
			return it
		}
	}
	t.Fatalf("tray menu has no %q item: %q", label, menuLabels(m))
	return nil
}
