package ui

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/assets"
)

// Joiner is what the first-run wizard needs before any agent exists: join
// a hub (register, clone the shard into storage, save the home's config)
// and measure free space. The app implements it with agent.Join.
type Joiner interface {
	Join(ctx context.Context, hub, storage string, budget int64) error
	FreeSpace(path string) (int64, error)
}

// FirstRunOptions configure the wizard. Start is required.
type FirstRunOptions struct {
	// Context ends the join and the agent started after it (default: until
	// Stop).
	Context context.Context
	// Hub is the archive hub the wizard offers (the donor may change it).
	Hub string
	// Storage is the folder it suggests (default ~/Shardkeeper).
	Storage string
	// Start runs the agent of the newly joined home and returns its API;
	// the wizard then shows the main window in its place.
	Start func(ctx context.Context) (control.API, error)
	// UI configures the main window shown after joining.
	UI Options
	// LookPath finds programs (default exec.LookPath); GOOS and OSRelease
	// (default runtime.GOOS and /etc/os-release) choose install advice.
	LookPath  func(string) (string, error)
	GOOS      string
	OSRelease string
	// Region is the region the wizard suggests (default: from the time
	// zone; see internal/region).
	Region string
}

// defaultShare is the part of the free space the budget slider starts at.
const defaultShare = 0.10

// joinTimeout bounds joining: registering and cloning a shard's history.
const joinTimeout = 10 * time.Minute

// FirstRun is the first-run wizard: what this is, where to store (with the
// free space), how much to give, join; then the main window with the first
// files arriving. If git-annex is missing it says what to install instead.
type FirstRun struct {
	app  fyne.App
	win  fyne.Window
	j    Joiner
	opts FirstRunOptions

	ctx     context.Context
	cancel  context.CancelFunc
	running sync.WaitGroup
	// goAsync runs slow calls off the UI thread; startUI starts the main
	// UI's polling. Tests make both synchronous.
	goAsync func(func())
	startUI func(*UI)

	// UI thread.
	hub     *widget.Entry
	storage *widget.Entry
	free    int64 // on the chosen drive; <0: unknown
	freeMsg *widget.Label
	budget  int64
	ui      *UI
	freeGen int
	// atLogin: start the agent at every login (offered on the last step,
	// on by default: a donor's files only count while the agent runs).
	atLogin bool
	// collection and region the donor chose (a Chooser joiner only).
	collection, region string
	regionAsked        bool
}

// NewFirstRun builds the wizard in a new window of a, on its first screen.
// Call Window().Show(); Stop when the app ends.
func NewFirstRun(a fyne.App, j Joiner, opts FirstRunOptions) *FirstRun {
	if opts.LookPath == nil {
		opts.LookPath = exec.LookPath
	}
	if opts.GOOS == "" {
		opts.GOOS = runtime.GOOS
		if opts.OSRelease == "" {
			opts.OSRelease = readOSRelease()
		}
	}
	if opts.Storage == "" {
		home, _ := os.UserHomeDir()
		opts.Storage = filepath.Join(home, "Shardkeeper")
	}
	parent := opts.Context
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancel(parent)
	f := &FirstRun{app: a, j: j, opts: opts, ctx: ctx, cancel: cancel, free: -1, atLogin: true}
	f.goAsync = func(fn func()) { f.running.Go(fn) }
	f.startUI = (*UI).Start
	f.win = a.NewWindow("Welcome to Shardkeeper")
	f.win.SetIcon(assets.AppIcon)
	f.win.Resize(fyne.NewSize(760, 560))
	f.hub = widget.NewEntry()
	f.hub.SetText(opts.Hub)
	f.hub.SetPlaceHolder("https://hub.example.org")
	f.storage = widget.NewEntry()
	f.storage.SetText(opts.Storage)
	f.storage.OnChanged = func(string) { f.measure() }
	f.freeMsg = widget.NewLabel("")
	f.begin()
	return f
}

// Window is the wizard's window, and after joining the main window.
func (f *FirstRun) Window() fyne.Window { return f.win }

// UI is the main window's UI once joined, else nil.
func (f *FirstRun) UI() *UI { return f.ui }

// Stop cancels a join in flight and stops the main UI.
func (f *FirstRun) Stop() {
	f.cancel()
	f.running.Wait()
	if f.ui != nil {
		f.ui.Stop()
	}
}

// begin shows the welcome, or what to install when tools are missing.
func (f *FirstRun) begin() {
	if missing := missingTools(f.opts.LookPath); len(missing) > 0 {
		f.showMissing(missing)
		return
	}
	f.showWelcome()
}

// page lays out one wizard screen: title, body, and the buttons at the
// bottom right; the last button is the default (Enter).
func (f *FirstRun) page(step int, title string, body fyne.CanvasObject, buttons ...*widget.Button) {
	t := widget.NewLabel(title)
	t.SizeName = theme.SizeNameHeadingText
	t.TextStyle = fyne.TextStyle{Bold: true}
	t.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(t)
	if step > 0 {
		s := widget.NewLabel(fmt.Sprintf("Step %d of 4", step))
		s.Importance = widget.MediumImportance
		top = container.NewVBox(s, t)
	}
	row := container.NewHBox()
	row.Add(layout.NewSpacer())
	for i, b := range buttons {
		if i == len(buttons)-1 {
			b.Importance = widget.HighImportance
		}
		row.Add(b)
	}
	f.win.SetContent(container.NewPadded(container.NewBorder(top, row, nil, nil,
		container.NewVScroll(body))))
}

func (f *FirstRun) showMissing(missing []string) {
	how, cmd := installHint(f.opts.GOOS, f.opts.OSRelease)
	body := container.NewVBox(
		wrapped("Shardkeeper stores and checks files with git-annex, a free program that is not installed on this computer yet "+
			"(missing: "+strings.Join(missing, ", ")+")."),
		wrapped(how),
	)
	if cmd != "" {
		c := widget.NewLabel(cmd)
		c.TextStyle = fyne.TextStyle{Monospace: true}
		c.Selectable = true
		body.Add(c)
	}
	body.Add(wrapped("Then choose Check again."))
	f.page(0, "Shardkeeper needs git-annex", body,
		widget.NewButton("Quit", f.app.Quit),
		widget.NewButtonWithIcon("Check again", theme.ViewRefreshIcon(), f.begin))
}

func (f *FirstRun) showWelcome() {
	body := container.NewVBox(
		wrapped("Great public collections often live on one server, run by one organisation. "+
			"Shardkeeper keeps a slice of such an archive on your computer, so the collection "+
			"survives even if that server fails."),
		wrapped("You choose where and how much space to give. Shardkeeper fetches the files with the "+
			"fewest copies first, checks them now and then, and stays out of your way: pause it any "+
			"time from the tray."),
		widget.NewSeparator(),
		heading("Archive to help"),
		f.hub,
	)
	next := widget.NewButtonWithIcon("Next", theme.NavigateNextIcon(), func() {
		if strings.TrimSpace(f.hub.Text) == "" {
			dialog.ShowInformation("Which archive?", "Enter the address of the archive's hub, e.g. https://hub.example.org.", f.win)
			return
		}
		if ch, ok := f.j.(Chooser); ok {
			f.showCollections(ch)
			return
		}
		f.showStorage()
	})
	f.page(1, "Keep public archives alive", body, next)
}

func (f *FirstRun) showStorage() {
	choose := widget.NewButtonWithIcon("Choose…", theme.FolderOpenIcon(), func() {
		d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
			if err == nil && dir != nil {
				f.storage.SetText(dir.Path())
			}
		}, f.win)
		d.Show()
	})
	body := container.NewVBox(
		wrapped("Shardkeeper keeps its files in one folder. Any drive works; a drive with plenty of free space is best."),
		container.NewBorder(nil, nil, nil, choose, f.storage),
		f.freeMsg,
	)
	f.measure()
	next := widget.NewButtonWithIcon("Next", theme.NavigateNextIcon(), func() {
		if f.free <= 0 {
			return
		}
		if f.budget <= 0 || f.budget > f.free {
			f.budget = int64(float64(f.free) * defaultShare)
		}
		f.showBudget()
	})
	f.page(2, "Where should Shardkeeper keep files?", body,
		widget.NewButtonWithIcon("Back", theme.NavigateBackIcon(), f.showWelcome), next)
}

// measure reads the free space of the chosen folder's drive, off the UI
// thread (a network drive may be slow).
func (f *FirstRun) measure() {
	f.freeGen++
	gen := f.freeGen
	path := strings.TrimSpace(f.storage.Text)
	f.freeMsg.SetText("Checking free space…")
	f.goAsync(func() {
		n, err := f.j.FreeSpace(path)
		if f.ctx.Err() != nil {
			return
		}
		fyne.Do(func() {
			if gen != f.freeGen {
				return
			}
			switch {
			case path == "":
				f.free = -1
				f.freeMsg.SetText("Choose a folder.")
			case err != nil:
				f.free = -1
				f.freeMsg.SetText("Can't use this folder: " + err.Error())
			default:
				f.free = n
				f.freeMsg.SetText(bytesText(n) + " free on this drive")
			}
		})
	})
}

func (f *FirstRun) showBudget() {
	slider := widget.NewSlider(0, float64(f.free))
	slider.Step = float64(f.free) / sliderSteps
	text := widget.NewLabel("")
	text.TextStyle = fyne.TextStyle{Bold: true}
	say := func(v float64) {
		f.budget = int64(math.Round(v))
		text.SetText(fmt.Sprintf("Up to %s (%d%% of the free space)", bytesText(f.budget),
			int(math.Round(100*v/float64(f.free)))))
	}
	slider.OnChanged = say
	slider.SetValue(float64(f.budget))
	say(float64(f.budget))
	body := container.NewVBox(
		wrapped(bytesText(f.free)+" is free on the drive of "+strings.TrimSpace(f.storage.Text)+"."),
		slider,
		text,
		wrapped("Shardkeeper uses no more than this. You can change it at any time under Space."),
	)
	f.page(3, "How much space will you give?", body,
		widget.NewButtonWithIcon("Back", theme.NavigateBackIcon(), f.showStorage),
		widget.NewButtonWithIcon("Next", theme.NavigateNextIcon(), f.showJoin))
}

func (f *FirstRun) showJoin() {
	summary := widget.NewForm(
		widget.NewFormItem("Archive", widget.NewLabel(strings.TrimSpace(f.hub.Text))),
		widget.NewFormItem("Folder", widget.NewLabel(strings.TrimSpace(f.storage.Text))),
		widget.NewFormItem("Space", widget.NewLabel("up to "+bytesText(f.budget))),
	)
	f.addChoiceSummary(summary)
	progress := widget.NewProgressBarInfinite()
	progress.Hide()
	problem := widget.NewLabel("")
	problem.Wrapping = fyne.TextWrapWord
	problem.Importance = widget.DangerImportance
	problem.Hide()
	back := widget.NewButtonWithIcon("Back", theme.NavigateBackIcon(), f.showBudget)
	var join *widget.Button
	join = widget.NewButtonWithIcon("Join", theme.ConfirmIcon(), func() {
		back.Disable()
		join.Disable()
		problem.Hide()
		progress.Show()
		f.join(func(err error) {
			progress.Hide()
			back.Enable()
			join.Enable()
			problem.SetText("Couldn't join: " + err.Error())
			problem.Show()
		})
	})
	login := widget.NewCheck(startAtLoginOffer, func(on bool) { f.atLogin = on })
	login.SetChecked(f.atLogin)
	body := container.NewVBox(
		wrapped("Shardkeeper registers with the archive's hub, downloads the list of files it should "+
			"keep, and starts fetching them."),
		summary, login, progress, problem,
	)
	f.page(4, "Ready to join", body, back, join)
}

// join runs the Joiner and starts the agent off the UI thread; then it
// shows the main window in the wizard's place, or calls failed.
func (f *FirstRun) join(failed func(error)) {
	hub, storage, budget := strings.TrimSpace(f.hub.Text), strings.TrimSpace(f.storage.Text), f.budget
	choice := JoinChoice{Hub: hub, Storage: storage, Budget: budget, Collection: f.collection, Region: f.region}
	f.goAsync(func() {
		ctx, cancel := context.WithTimeout(f.ctx, joinTimeout)
		defer cancel()
		err := f.joinHub(ctx, choice)
		var api control.API
		if err == nil {
			api, err = f.opts.Start(f.ctx) // the agent outlives the join's timeout
		}
		var loginErr error
		if err == nil && f.atLogin {
			loginErr = enableStartAtLogin(ctx, api)
		}
		if f.ctx.Err() != nil {
			return
		}
		fyne.Do(func() {
			if err != nil {
				failed(err)
				return
			}
			f.showMain(api)
			if loginErr != nil {
				dialog.ShowInformation("Start at login", "Couldn't make Shardkeeper start at login: "+loginErr.Error()+
					". Turn it on later under Settings.", f.win)
			}
		})
	})
}

// startAtLoginOffer is the first-run wizard's offer to start at login.
const startAtLoginOffer = "Start Shardkeeper when I log in, so it keeps protecting files"

// enableStartAtLogin turns the agent's start_at_login setting on: the agent
// installs its per-user service (or the desktop autostart entry).
func enableStartAtLogin(ctx context.Context, api control.API) error {
	s, err := api.Settings(ctx)
	if err != nil {
		return err
	}
	if s.StartAtLogin {
		return nil
	}
	s.StartAtLogin = true
	return api.UpdateSettings(ctx, s)
}

// showMain turns the wizard's window into the main window, on the
// overview, where the first files arrive.
func (f *FirstRun) showMain(api control.API) {
	opts := f.opts.UI
	opts.Window = f.win
	f.ui = New(f.app, api, opts)
	f.win.Resize(fyne.NewSize(1000, 680))
	f.startUI(f.ui)
}

func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}
