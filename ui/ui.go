// Package ui is Shardkeeper's desktop UI: a window (overview, space,
// browse, activity, settings), a tray menu and notifications around an
// agent, which it reaches only through control.API; and the first-run
// wizard that joins a hub before there is an agent.
//
// It takes a fyne.App instead of creating one, so it builds without cgo and
// its tests run headless with fyne.io/fyne/v2/test.
package ui

import (
	"context"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/assets"
)

const (
	defaultRefresh = 2 * time.Second
	defaultTitle   = "Shardkeeper"
	// callTimeout bounds one API call, so a stuck agent can't stall the loop.
	callTimeout = 10 * time.Second
	// eventRetry is how long to wait before asking for events again after
	// the stream broke (agent restarting).
	eventRetry = 3 * time.Second
	// keepEvents is how many recent events the Activity tab remembers.
	keepEvents = 200
)

// Options tune the UI. The zero value is usable.
type Options struct {
	// RefreshEvery is how often the agent's status is polled (default 2s).
	RefreshEvery time.Duration
	// Title is the window title (default "Shardkeeper").
	Title string
	// Now is the clock (default time.Now); tests fix it.
	Now func() time.Time
	// AgentInProcess says the agent runs inside this process, so quitting
	// the app stops it; otherwise it is a service that keeps running.
	AgentInProcess bool
	// TrayHost reports whether a system tray is there to show the icon
	// (default SystemTrayHost). Without one, closing the window quits.
	TrayHost func() bool
	// Window is used instead of a new window (the first-run wizard hands
	// its window over).
	Window fyne.Window
	// FreeSpace measures a folder's drive (default FreeSpace); tests fake it.
	FreeSpace func(path string) (int64, error)
}

// UI is the main window plus, on desktops, the tray menu. It is the bridge
// between the agent (control.API, called off the UI thread) and the widgets
// (touched only on the UI thread).
//
// Fields below "UI thread" are only touched from Fyne callbacks or inside
// fyne.Do, so they need no lock.
type UI struct {
	app  fyne.App
	api  control.API
	opts Options

	win    fyne.Window
	view   *mainView
	tray   *tray // nil when the app has no system tray
	notify *notifier

	ctx       context.Context // cancelled by Stop; parent of every API call
	cancel    context.CancelFunc
	startOnce sync.Once
	stopOnce  sync.Once
	running   sync.WaitGroup // the loops and API calls in flight, for Stop
	seqMu     sync.Mutex
	seq       uint64        // numbers polls so a slow, older answer can't overwrite a newer one
	kick      chan struct{} // asks the loop for a status now

	// goAsync runs API calls off the UI thread; onUI hands f to the UI
	// thread (fyne.Do); after runs f on the UI thread after d. Tests make
	// them synchronous, or serialise onUI where the test driver does not.
	goAsync func(func())
	onUI    func(func())
	after   func(d time.Duration, f func())

	// UI thread.
	status    control.Status
	have      bool   // a status has been received at least once
	agentErr  error  // last poll failed
	actionErr string // last action failed; shown until the next one
	busy      bool   // a Pause/Resume/Verify call is in flight
	applied   uint64 // seq of the poll last shown
	events    []control.Event
	toldTray  bool // the "still running in the tray" hint was given
}

// New builds the window and, when a supports it, the tray menu. It shows
// nothing and polls nothing: call Window().Show() and Start().
func New(a fyne.App, api control.API, opts Options) *UI {
	if opts.RefreshEvery <= 0 {
		opts.RefreshEvery = defaultRefresh
	}
	if opts.Title == "" {
		opts.Title = defaultTitle
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.FreeSpace == nil {
		opts.FreeSpace = FreeSpace
	}
	if opts.TrayHost == nil {
		opts.TrayHost = SystemTrayHost
	}
	ctx, cancel := context.WithCancel(context.Background())
	u := &UI{
		app:    a,
		api:    api,
		opts:   opts,
		ctx:    ctx,
		cancel: cancel,
		kick:   make(chan struct{}, 1),
	}
	u.goAsync = func(f func()) { u.running.Go(f) }
	u.onUI = fyne.Do
	u.after = func(d time.Duration, f func()) {
		time.AfterFunc(d, func() {
			if u.ctx.Err() == nil {
				u.onUI(f)
			}
		})
	}
	u.notify = newNotifier(a.SendNotification, opts.Now())

	u.win = opts.Window
	if u.win == nil {
		u.win = a.NewWindow(opts.Title)
		u.win.Resize(fyne.NewSize(1000, 680))
	}
	u.win.SetTitle(opts.Title)
	u.win.SetIcon(assets.AppIcon)
	u.view = newMainView(u)
	u.win.SetContent(u.view.content)
	quitLabel := quitServiceLabel
	if opts.AgentInProcess {
		quitLabel = quitInProcessLabel
	}
	u.win.SetMainMenu(u.view.mainMenu(u.win.Canvas(), quitLabel, u.quit))

	if d, ok := a.(desktop.App); ok {
		u.tray = newTray(d, trayActions{
			pause:  u.pause,
			resume: u.resume,
			open:   u.showWindow,
			verify: u.verify,
			quit:   u.quit,
		}, quitLabel)
		d.SetSystemTrayWindow(u.win)
		// After SetSystemTrayWindow, which makes closing always hide: with
		// no tray to come back from, hiding would lose the window for good.
		u.win.SetCloseIntercept(u.closeWindow)
	}
	u.render()
	return u
}

// Window is the main window.
func (u *UI) Window() fyne.Window { return u.win }

// Start polls the agent now and then every RefreshEvery, and follows its
// events, until Stop.
func (u *UI) Start() {
	u.startOnce.Do(func() {
		u.running.Go(u.loop)
		u.running.Go(u.eventLoop)
	})
}

// Stop ends polling, cancels API calls in flight and waits for them to
// return. Safe on the UI thread: the goroutines it waits for never wait for
// that thread (they use fyne.Do, which only queues).
func (u *UI) Stop() {
	u.stopOnce.Do(u.cancel)
	u.running.Wait()
}

func (u *UI) loop() {
	t := time.NewTicker(u.opts.RefreshEvery)
	defer t.Stop()
	for {
		_ = u.Refresh(u.ctx) // the error is shown in the window
		select {
		case <-u.ctx.Done():
			return
		case <-t.C:
		case <-u.kick:
		}
	}
}

// refreshSoon asks the loop for a status now instead of at the next tick.
func (u *UI) refreshSoon() {
	select {
	case u.kick <- struct{}{}:
	default:
	}
}

// Refresh asks the agent for its status once, waits for the answer and
// hands it to the UI thread with fyne.Do. It returns the API's error, which
// the window also shows. Call it from any goroutine but the UI thread: the
// call may block for up to callTimeout.
func (u *UI) Refresh(ctx context.Context) error {
	u.seqMu.Lock()
	u.seq++
	seq := u.seq
	u.seqMu.Unlock()

	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	st, err := u.api.Status(ctx)
	if u.ctx.Err() != nil {
		return err // stopped: the app may be gone, leave the widgets alone
	}
	u.onUI(func() { u.apply(seq, st, err) })
	return err
}

// apply runs on the UI thread.
func (u *UI) apply(seq uint64, st control.Status, err error) {
	if seq < u.applied {
		return
	}
	u.applied = seq
	if err != nil {
		u.agentErr = err
	} else {
		u.agentErr = nil
		u.status, u.have = st, true
		u.notify.status(st, u.opts.Now())
	}
	u.render()
}

// render pushes the UI-thread state into the window and the tray.
func (u *UI) render() {
	s := u.snapshot()
	u.view.show(s)
	if u.tray != nil {
		u.tray.show(s)
	}
}

func (u *UI) snapshot() snapshot {
	return snapshot{
		status:    u.status,
		have:      u.have,
		agentErr:  u.agentErr,
		actionErr: u.actionErr,
		busy:      u.busy,
		now:       u.opts.Now(),
		events:    u.events,
	}
}

// snapshot is everything the window and the tray draw from.
type snapshot struct {
	status    control.Status
	have      bool
	agentErr  error
	actionErr string
	busy      bool
	now       time.Time
	events    []control.Event // recent, oldest first
}

// canToggle: Pause/Resume only when we know the state and the agent is there.
func (s snapshot) canToggle() bool {
	return s.have && s.agentErr == nil && !s.busy && canToggle(s.status)
}

// canVerify: a verification can start when the agent works (not paused)
// and none is under way.
func (s snapshot) canVerify() bool {
	return s.canToggle() && !s.status.Paused && s.status.Verifying == nil && s.status.FilesProtected > 0
}

// call runs an API call off the UI thread, then done on the UI thread with
// its error. Nothing happens after Stop.
func (u *UI) call(f func(ctx context.Context) error, done func(err error)) {
	if u.ctx.Err() != nil {
		return
	}
	u.goAsync(func() {
		ctx, cancel := context.WithTimeout(u.ctx, callTimeout)
		err := f(ctx)
		cancel()
		if u.ctx.Err() != nil {
			return
		}
		u.onUI(func() { done(err) })
	})
}

// change runs an action that changes the agent (pause, verify, …): one at a
// time, its failure shown as "<failed>: <error>", and the new state polled
// at once.
func (u *UI) change(failed string, f func(ctx context.Context) error) {
	if u.busy || u.ctx.Err() != nil {
		return
	}
	u.busy = true
	u.render()
	u.call(f, func(err error) {
		u.busy = false
		u.showActionError(failed, err)
		u.refreshAsync()
	})
}

// refreshAsync polls the status now, off the UI thread: after a change the
// donor should see its effect at once, not at the next tick.
func (u *UI) refreshAsync() {
	if u.ctx.Err() != nil {
		return
	}
	u.goAsync(func() { _ = u.Refresh(u.ctx) })
}

// showActionError shows (or, with a nil err, clears) the last action's
// failure in the window's banner.
func (u *UI) showActionError(failed string, err error) {
	u.actionErr = ""
	if err != nil {
		u.actionErr = failed + ": " + err.Error()
	}
	u.render()
}

// pause runs on the UI thread (tray item or window menu).
func (u *UI) pause(c pauseChoice) {
	if !u.snapshot().canToggle() {
		return
	}
	if c.until == nil {
		u.change("Couldn't pause", u.api.Pause)
		return
	}
	until := c.until(u.opts.Now())
	u.change("Couldn't pause", func(ctx context.Context) error { return u.api.PauseUntil(ctx, until) })
}

func (u *UI) resume() {
	if !u.snapshot().canToggle() {
		return
	}
	u.change("Couldn't resume", u.api.Resume)
}

func (u *UI) verify() {
	if !u.snapshot().canVerify() {
		return
	}
	u.change("Couldn't start the verification", u.api.Verify)
}

func (u *UI) showWindow() {
	u.win.Show()
	u.win.RequestFocus()
}

func (u *UI) quit() {
	u.app.Quit()
}
