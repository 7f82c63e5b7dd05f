package ui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// testNow is the fake clock's time: a Saturday afternoon.
var testNow = time.Date(2026, 3, 14, 14, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return testNow }

// fakeAPI is an in-memory agent: actions change its status like the real
// one, every call is recorded, and any call can be made to fail.
type fakeAPI struct {
	mu                   sync.Mutex
	status               control.Status
	statusErr, actionErr error
	statusCalls          int
	pauseCalls, resumes  int
	pausedUntil          []time.Time
	verifies             int
	previews, budgets    []control.Limits
	release              control.BudgetPlan // what lowering the budget gives back
	files                []control.File
	queries              []control.FileQuery
	released             []string
	settings             control.Settings
	updated              []control.Settings
	log                  []string
	events               chan control.Event
	added                []string // AddStorage calls: "PATH BYTES"
	removed              []string // RemoveStorage calls
	storageErr           error    // what AddStorage and RemoveStorage answer
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

// act is one action of the fake: record the call, fail with actionErr
// when set, else apply the change; all under f.mu.
func (f *fakeAPI) act(record, apply func()) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	record()
	if f.actionErr != nil {
		return f.actionErr
	}
	apply()
	return nil
}

func (f *fakeAPI) Pause(ctx context.Context) error {
	return f.act(func() { f.pauseCalls++ }, func() {
		f.status.Paused, f.status.State, f.status.PausedUntil = true, control.StatePaused, nil
	})
}

func (f *fakeAPI) PauseUntil(ctx context.Context, until time.Time) error {
	return f.act(func() { f.pausedUntil = append(f.pausedUntil, until) }, func() {
		f.status.Paused, f.status.State, f.status.PausedUntil = true, control.StatePaused, &until
	})
}

func (f *fakeAPI) Resume(ctx context.Context) error {
	return f.act(func() { f.resumes++ }, func() {
		f.status.Paused, f.status.State, f.status.PausedUntil = false, control.StateIdle, nil
	})
}

func (f *fakeAPI) PreviewBudget(ctx context.Context, l control.Limits) (p control.BudgetPlan, err error) {
	err = f.act(func() { f.previews = append(f.previews, l) }, func() { p = f.plan(l) })
	return p, err
}

func (f *fakeAPI) SetBudget(ctx context.Context, l control.Limits) (p control.BudgetPlan, err error) {
	err = f.act(func() { f.budgets = append(f.budgets, l) }, func() {
		p = f.plan(l)
		f.status.Budget = &p.Budget
		f.status.BudgetBytes = p.Budget.EffectiveBytes
	})
	return p, err
}

// plan: the size limit binds; lowering it gives back what f.release says.
func (f *fakeAPI) plan(l control.Limits) control.BudgetPlan {
	b := control.Budget{Limits: l, EffectiveBytes: l.MaxBytes, Binding: control.BindMaxBytes}
	if f.status.Budget != nil {
		b.Disk = f.status.Budget.Disk
	}
	p := control.BudgetPlan{Budget: b}
	if f.status.Budget != nil && l.MaxBytes < f.status.Budget.MaxBytes {
		p.ReleaseBytes, p.ReleaseFiles = f.release.ReleaseBytes, f.release.ReleaseFiles
	}
	return p
}

func (f *fakeAPI) Files(ctx context.Context, q control.FileQuery) (list control.FileList, err error) {
	err = f.act(func() { f.queries = append(f.queries, q) }, func() { list = f.matching(q) })
	return list, err
}

// matching is the page of f.files that q asks for.
func (f *fakeAPI) matching(q control.FileQuery) control.FileList {
	var match []control.File
	for _, file := range f.files {
		if (q.Filter == "" || strings.Contains(strings.ToLower(file.Path), strings.ToLower(q.Filter))) &&
			(!q.HeldOnly || file.Held) && (q.Shard == "" || q.Shard == file.Shard) {
			match = append(match, file)
		}
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	page := match[min(q.Offset, len(match)):min(q.Offset+limit, len(match))]
	return control.FileList{Files: slices.Clone(page), Total: len(match), Offset: q.Offset}
}

func (f *fakeAPI) Release(ctx context.Context, shard, path string) error {
	return f.act(func() { f.released = append(f.released, shard+"/"+path) }, func() {
		for i := range f.files {
			if f.files[i].Shard == shard && f.files[i].Path == path {
				f.files[i].Held, f.files[i].LocalPath = false, ""
				f.files[i].Copies--
			}
		}
	})
}

func (f *fakeAPI) Verify(ctx context.Context) error {
	return f.act(func() { f.verifies++ }, func() {
		f.status.Verifying = &control.Progress{Total: f.status.FilesProtected}
	})
}

func (f *fakeAPI) Settings(ctx context.Context) (control.Settings, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.settings, f.actionErr
}

func (f *fakeAPI) UpdateSettings(ctx context.Context, s control.Settings) error {
	return f.act(func() { f.updated = append(f.updated, s) }, func() { f.settings = s })
}

// Events streams f.events (if set) until ctx ends.
func (f *fakeAPI) Events(ctx context.Context) (<-chan control.Event, error) {
	out := make(chan control.Event)
	go func() {
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-f.events:
				if !ok {
					return
				}
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

func (f *fakeAPI) LogTail(ctx context.Context, lines int) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.log, f.actionErr
}

func (f *fakeAPI) Leave(ctx context.Context) error { return nil }

func (f *fakeAPI) AddStorage(ctx context.Context, path string, budget int64) (control.Location, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.added = append(f.added, fmt.Sprintf("%s %d", path, budget))
	if f.storageErr != nil {
		return control.Location{}, f.storageErr
	}
	l := control.Location{Path: path, ID: "loc-new", Online: true, BudgetBytes: budget}
	f.status.Locations = append(slices.Clone(f.status.Locations), l)
	return l, nil
}

func (f *fakeAPI) RemoveStorage(ctx context.Context, path string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removed = append(f.removed, path)
	if f.storageErr != nil {
		return f.storageErr
	}
	f.status.Locations = slices.DeleteFunc(slices.Clone(f.status.Locations), func(l control.Location) bool { return l.Path == path })
	return nil
}

func (f *fakeAPI) calls() (status, pause, resume int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.statusCalls, f.pauseCalls, f.resumes
}

func (f *fakeAPI) set(fn func(f *fakeAPI)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

var errNoSocket = errors.New("dial unix /run/shardkeeper.sock: connect: no such file or directory")

func at(s string) *time.Time {
	t, err := time.Parse(time.DateTime, s)
	if err != nil {
		panic(err)
	}
	return &t
}

// sampleStatus is a donor in full swing, with every field the UI reads.
func sampleStatus() control.Status {
	return control.Status{
		FilesProtected: 1234,
		BytesHeld:      12_000_000_000,
		BudgetBytes:    200_000_000_000,
		State:          control.StateIdle,
		Hub:            "https://hub.example.org",
		Storage:        "/home/donor/Shardkeeper",
		Shards: []control.ShardStatus{
			{Name: "pd-books-01", Files: 1500, FilesHeld: 1200, BytesHeld: 9_000_000_000},
			{Name: "pd-maps-07", Files: 40, FilesHeld: 34, BytesHeld: 3_000_000_000},
		},
		LastCycle:      at("2026-03-14 13:55:00"),
		LastReport:     at("2026-03-14 13:55:00"),
		FilesFewCopies: 321,
		Budget: &control.Budget{
			Limits:         control.Limits{MaxBytes: 200_000_000_000, KeepFreeBytes: 10_000_000_000},
			EffectiveBytes: 200_000_000_000,
			Binding:        control.BindMaxBytes,
			Disk: control.Disk{Path: "/home", TotalBytes: 1_000_000_000_000, AvailableBytes: 388_000_000_000,
				UsedByShardkeeper: 12_000_000_000, UsedByOthers: 580_000_000_000},
		},
		Locations: []control.Location{{
			Path: "/home/donor/Shardkeeper", Online: true,
			LastVerified: at("2026-03-11 09:00:00"), NextVerification: at("2026-04-10 09:00:00"),
		}},
		Activity: []control.DayActivity{
			{Day: "2026-03-04", BytesFetched: 1_200_000_000},
			{Day: "2026-03-05", BytesFetched: 2_600_000_000},
			{Day: "2026-03-08", BytesFetched: 400_000_000},
			{Day: "2026-03-12", BytesFetched: 3_100_000_000},
			{Day: "2026-03-13", BytesFetched: 900_000_000},
			{Day: "2026-03-14", BytesFetched: 1_700_000_000},
		},
	}
}

// sampleFiles are two shards' files, some held.
func sampleFiles() []control.File {
	return []control.File{
		{Shard: "pd-books-01", Path: "austen/emma.epub", Key: "SHA256E-s812000--a.epub", Size: 812_000, Held: true, Copies: 2, LocalPath: "/home/donor/Shardkeeper/pd-books-01/austen/emma.epub"},
		{Shard: "pd-books-01", Path: "austen/persuasion.epub", Key: "SHA256E-s640000--b.epub", Size: 640_000, Copies: 3},
		{Shard: "pd-books-01", Path: "austen/pride-and-prejudice.epub", Key: "SHA256E-s900000--c.epub", Size: 900_000, Held: true, Copies: 1, LocalPath: "/home/donor/Shardkeeper/pd-books-01/austen/pride-and-prejudice.epub"},
		{Shard: "pd-books-01", Path: "dickens/bleak-house.epub", Key: "SHA256E-s1500000--d.epub", Size: 1_500_000, Held: true, Copies: 4, LocalPath: "/home/donor/Shardkeeper/pd-books-01/dickens/bleak-house.epub"},
		{Shard: "pd-books-01", Path: "dickens/hard-times.epub", Key: "SHA256E-s700000--e.epub", Size: 700_000, Copies: 0},
		{Shard: "pd-books-01", Path: "readme.txt", Key: "SHA256E-s1200--f.txt", Size: 1_200, Held: true, Copies: 5, LocalPath: "/home/donor/Shardkeeper/pd-books-01/readme.txt"},
	}
}

// testUI is a UI on a headless test app whose background work runs inline,
// so a tap has had all its effects when test.Tap returns. Delayed work
// (u.after) waits in later until the test runs it.
type testUI struct {
	*UI
	later []func()
}

func newTestUI(t *testing.T, a fyne.App, api control.API) *testUI {
	return newTestUIWith(t, a, api, Options{})
}

func newTestUIWith(t *testing.T, a fyne.App, api control.API, opts Options) *testUI {
	t.Helper()
	if opts.Now == nil {
		opts.Now = fixedNow
	}
	if opts.TrayHost == nil {
		opts.TrayHost = func() bool { return true }
	}
	tu := &testUI{UI: New(a, api, opts)}
	makeInline(tu)
	tu.Window().Resize(fyne.NewSize(1000, 700))
	t.Cleanup(tu.Stop)
	return tu
}

func makeInline(tu *testUI) {
	tu.goAsync = func(f func()) { f() }
	tu.after = func(_ time.Duration, f func()) { tu.later = append(tu.later, f) }
}

// runLater runs the delayed work queued so far (not what it queues).
func (tu *testUI) runLater() {
	fs := tu.later
	tu.later = nil
	for _, f := range fs {
		f()
	}
}

func refresh(t *testing.T, u *testUI) {
	t.Helper()
	if err := u.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// texts returns the text of every visible widget in the window and its
// overlays (dialogs, menus), found by walking the rendered widget tree.
func texts(w fyne.Window) []string {
	var out []string
	walkWindow(w, func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *widget.Label:
			out = append(out, o.Text)
		case *widget.Button:
			out = append(out, o.Text)
		case *widget.Check:
			out = append(out, o.Text)
		case *canvas.Text:
			out = append(out, o.Text)
		}
	})
	return out
}

func hasText(w fyne.Window, want string) bool {
	return slices.Contains(texts(w), want)
}

func hasTextContaining(w fyne.Window, part string) bool {
	return slices.ContainsFunc(texts(w), func(s string) bool { return strings.Contains(s, part) })
}

func requireText(t *testing.T, w fyne.Window, want string) {
	t.Helper()
	if !hasText(w, want) {
		t.Fatalf("window does not show %q; it shows:\n  %s", want, strings.Join(texts(w), "\n  "))
	}
}

func requireTextContaining(t *testing.T, w fyne.Window, part string) {
	t.Helper()
	if !hasTextContaining(w, part) {
		t.Fatalf("window shows nothing containing %q; it shows:\n  %s", part, strings.Join(texts(w), "\n  "))
	}
}

func walkWindow(w fyne.Window, visit func(fyne.CanvasObject)) {
	walk(w.Canvas().Content(), visit)
	for _, o := range w.Canvas().Overlays().List() {
		walk(o, visit)
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

// find returns the first visible object of type T for which ok holds.
func find[T fyne.CanvasObject](w fyne.Window, ok func(T) bool) (T, bool) {
	var found T
	var got bool
	walkWindow(w, func(o fyne.CanvasObject) {
		if v, is := o.(T); is && !got && ok(v) {
			found, got = v, true
		}
	})
	return found, got
}

func findButton(t *testing.T, w fyne.Window, text string) *widget.Button {
	t.Helper()
	b, ok := find(w, func(b *widget.Button) bool { return b.Text == text })
	if !ok {
		t.Fatalf("no %q button; window shows:\n  %s", text, strings.Join(texts(w), "\n  "))
	}
	return b
}

// findDialogButton finds a button in the topmost overlay (a dialog).
func findDialogButton(t *testing.T, w fyne.Window, text string) *widget.Button {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatalf("no dialog open; looking for %q", text)
	}
	var found *widget.Button
	walk(top, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			found = b
		}
	})
	if found == nil {
		t.Fatalf("the dialog has no %q button; window shows:\n  %s", text, strings.Join(texts(w), "\n  "))
	}
	return found
}

func dialogOpen(w fyne.Window) bool { return w.Canvas().Overlays().Top() != nil }

// selectTab opens a tab by its shortcut's index, as Ctrl+N would.
func selectTab(u *testUI, i int) { u.view.selectTab(i) }

// recordingApp adds what the headless test app lacks or hides: a system
// tray, and a record of notifications and opened URLs.
type recordingApp struct {
	fyne.App
	menu          *fyne.Menu
	icon          fyne.Resource
	trayWin       fyne.Window
	menuSet       int
	notifications []*fyne.Notification
	opened        []string
	quits         int
}

func newRecordingApp(t *testing.T) *recordingApp { return &recordingApp{App: test.NewTempApp(t)} }

func (a *recordingApp) SetSystemTrayMenu(m *fyne.Menu)    { a.menu = m; a.menuSet++ }
func (a *recordingApp) SetSystemTrayIcon(r fyne.Resource) { a.icon = r }
func (a *recordingApp) SetSystemTrayWindow(w fyne.Window) { a.trayWin = w }
func (a *recordingApp) SendNotification(n *fyne.Notification) {
	a.notifications = append(a.notifications, n)
}
func (a *recordingApp) OpenURL(u *url.URL) error { a.opened = append(a.opened, u.String()); return nil }
func (a *recordingApp) Quit()                    { a.quits++ }
func (a *recordingApp) NewWindow(title string) fyne.Window {
	return &spyWindow{Window: a.App.NewWindow(title)}
}

func (a *recordingApp) titles() []string {
	var out []string
	for _, n := range a.notifications {
		out = append(out, n.Title)
	}
	return out
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
	t.Fatalf("menu has no %q item: %q", label, menuLabels(m))
	return nil
}
