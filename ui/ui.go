// Package ui is Shardkeeper's desktop UI: a status window and a tray menu
// around a running agent, which it reaches only through control.API.
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
)

// Options tune the UI. The zero value is usable.
type Options struct {
	// RefreshEvery is how often the agent's status is polled (default 2s).
	RefreshEvery time.Duration
	// Title is the window title (default "Shardkeeper").
	Title string
}

// UI is the status window plus, on desktops, the tray menu.
//
// Fields below "UI thread" are only touched from Fyne callbacks or inside
// fyne.Do, so they need no lock.
type UI struct {
	app  fyne.App
	api  control.API
	opts Options

	win  fyne.Window
	view *view
	tray *tray // nil when the app has no system tray

	ctx       context.Context // cancelled by Stop; parent of every API call
	cancel    context.CancelFunc
	startOnce sync.Once
	stopOnce  sync.Once
	running   sync.WaitGroup // the loop and API calls in flight, for Stop
	seqMu     sync.Mutex
	seq       uint64 // numbers polls so a slow, older answer can't overwrite a newer one

	// goAsync runs API calls off the UI thread; tests make it synchronous.
	goAsync func(func())

	// UI thread.
	status    control.Status
	have      bool   // a status has been received at least once
	agentErr  error  // last poll failed
	actionErr string // last Pause/Resume failed; shown until the next one
	busy      bool   // a Pause/Resume call is in flight
	applied   uint64 // seq of the poll last shown
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
	ctx, cancel := context.WithCancel(context.Background())
	u := &UI{
		app:    a,
		api:    api,
		opts:   opts,
		ctx:    ctx,
		cancel: cancel,
	}
	u.goAsync = func(f func()) { u.running.Go(f) }

	u.win = a.NewWindow(opts.Title)
	u.win.SetIcon(assets.AppIcon)
	u.view = newView(u.togglePause)
	u.win.SetContent(u.view.content)
	u.win.Resize(fyne.NewSize(640, 560))

	if d, ok := a.(desktop.App); ok {
		u.tray = newTray(d, u.togglePause, u.showWindow)
		// Closing the window must not stop the donation: the app lives on in
		// the tray, from where "Open Shardkeeper" brings the window back.
		d.SetSystemTrayWindow(u.win)
		u.win.SetCloseIntercept(u.win.Hide)
	}
	u.render()
	return u
}

// Window is the main status window.
func (u *UI) Window() fyne.Window { return u.win }

// Start polls the agent now and then every RefreshEvery until Stop.
func (u *UI) Start() {
	u.startOnce.Do(func() {
		u.running.Go(u.loop)
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
		}
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
	fyne.Do(func() { u.apply(seq, st, err) })
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
	}
	u.render()
}

// render pushes the UI-thread state into the window and the tray.
func (u *UI) render() {
	s := snapshot{
		status:    u.status,
		have:      u.have,
		agentErr:  u.agentErr,
		actionErr: u.actionErr,
		busy:      u.busy,
	}
	u.view.show(s)
	if u.tray != nil {
		u.tray.show(s)
	}
}

// snapshot is everything the window and the tray draw from.
type snapshot struct {
	status    control.Status
	have      bool
	agentErr  error
	actionErr string
	busy      bool
}

// canToggle: Pause/Resume only when we know the state and the agent is there.
func (s snapshot) canToggle() bool {
	return s.have && s.agentErr == nil && !s.busy && canToggle(s.status)
}

// togglePause runs on the UI thread (button or tray item) and calls the API
// off it, so a slow agent never freezes the window.
func (u *UI) togglePause() {
	if u.busy || !u.have || u.ctx.Err() != nil {
		return
	}
	pause := !u.status.Paused
	u.busy = true
	u.render()
	u.goAsync(func() {
		ctx, cancel := context.WithTimeout(u.ctx, callTimeout)
		var err error
		if pause {
			err = u.api.Pause(ctx)
		} else {
			err = u.api.Resume(ctx)
		}
		cancel()
		if u.ctx.Err() != nil {
			return
		}
		fyne.Do(func() {
			u.busy = false
			u.actionErr = ""
			if err != nil {
				u.actionErr = actionErrorText(pause, err)
			}
			u.render()
		})
		_ = u.Refresh(u.ctx) // show the new state now, not at the next tick
	})
}

func (u *UI) showWindow() {
	u.win.Show()
	u.win.RequestFocus()
}
