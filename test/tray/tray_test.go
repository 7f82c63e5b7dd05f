//go:build linux

// Package tray tests the real desktop app's tray menu the way a desktop
// shell sees it: over DBus. A small StatusNotifierWatcher stand-in owns
// org.kde.StatusNotifierWatcher, takes the app's registration, reads the
// menu with com.canonical.dbusmenu.GetLayout and clicks items with Event.
//
// It needs the GUI binary, a display and a session bus, so plain
// `go test ./...` skips it; scripts/tray-test.sh runs it under Xvfb and
// dbus-run-session against bin/shardkeeper demo.
package tray

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

const (
	watcherName  = "org.kde.StatusNotifierWatcher"
	watcherPath  = "/StatusNotifierWatcher"
	itemIface    = "org.kde.StatusNotifierItem"
	menuIface    = "com.canonical.dbusmenu"
	defaultMenu  = "/StatusNotifierMenu"
	startTimeout = 90 * time.Second
)

// env names: SHARDKEEPER_TRAY_TEST=1 turns the test on; SHARDKEEPER_BIN is
// the GUI build of shardkeeper; SHARDKEEPER_TRAY_OUT (optional) keeps the
// app's log there.
func TestTrayMenuOverDBus(t *testing.T) {
	if os.Getenv("SHARDKEEPER_TRAY_TEST") != "1" {
		t.Skip("the tray test needs the GUI binary, a display and a DBus session: run scripts/tray-test.sh (or set SHARDKEEPER_TRAY_TEST=1 and SHARDKEEPER_BIN)")
	}
	bin := trayBinary(t)

	dir := t.TempDir()
	home := filepath.Join(dir, "demo", "donor")
	startDemo(t, bin, filepath.Join(dir, "demo"))
	waitFor(t, "the demo donor's agent", func() (bool, string) {
		st, err := status(bin, home)
		if err != nil {
			return false, err.Error()
		}
		return st.State != "offline" && st.State != "not_joined", st.State
	})

	// The host comes after the app, as when a desktop shell restarts: the
	// app's tray must register as soon as the watcher's name is owned.
	w := startWatcher(t)
	var item registration
	select {
	case item = <-w.registered:
	case <-time.After(startTimeout):
		t.Fatal("the app did not register a tray item with the StatusNotifierWatcher")
	}
	t.Logf("tray item registered by %s at %s", item.sender, item.path)
	menu := menuPath(t, w.conn, item)

	root := waitProtecting(t, w, item, menu, bin, home)
	t.Logf("tray menu: %q", root.labels())

	pause, ok := root.find("Pause")
	if !ok {
		t.Fatalf("no Pause item in the tray menu %q", root.labels())
	}
	sub, err := layoutAt(w.conn, item.sender, menu, pause.id) // open the submenu
	if err != nil {
		t.Fatal(err)
	}
	half, ok := sub.find("30 minutes")
	if !ok {
		t.Fatalf("Pause ▸ has no 30 minutes item: %q", sub.labels())
	}
	t.Logf("Pause ▸ %q", sub.labels())
	clicked := time.Now()
	if err := click(w.conn, item.sender, menu, half.id); err != nil {
		t.Fatalf("click Pause ▸ 30 minutes: %v", err)
	}

	checkPausedFor30Minutes(t, bin, home, clicked)

	// The menu follows: Resume instead of Pause ▸, and when work resumes.
	waitFor(t, "the tray menu to show the pause", func() (bool, string) {
		if root, err = layout(w.conn, item.sender, menu); err != nil {
			return false, err.Error()
		}
		_, resume := root.find("Resume")
		labels := root.labels()
		return resume && len(labels) > 1 && strings.HasPrefix(labels[1], "Paused — resumes at "), fmt.Sprintf("%q", labels)
	})
	t.Logf("tray menu: %q", root.labels())
}

// trayBinary is the GUI binary under test; the display and the session
// bus must be set too.
func trayBinary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("SHARDKEEPER_BIN")
	for name, v := range map[string]string{"SHARDKEEPER_BIN": bin, "DISPLAY": os.Getenv("DISPLAY"),
		"DBUS_SESSION_BUS_ADDRESS": os.Getenv("DBUS_SESSION_BUS_ADDRESS")} {
		if v == "" {
			t.Fatalf("%s is not set (scripts/tray-test.sh sets up all three)", name)
		}
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// waitProtecting waits for the menu's first line to count what status
// --json counts (once the agent is idle both stop moving) and returns the
// menu.
func waitProtecting(t *testing.T, w *watcher, item registration, menu dbus.ObjectPath, bin, home string) node {
	t.Helper()
	protecting := regexp.MustCompile(`^Protecting ([0-9,]+) files? · `)
	var root node
	waitFor(t, `a "Protecting N files" line matching status --json`, func() (bool, string) {
		var err error
		if root, err = layout(w.conn, item.sender, menu); err != nil {
			return false, err.Error()
		}
		st, err := status(bin, home)
		if err != nil {
			return false, err.Error()
		}
		first := root.labels()
		if len(first) == 0 {
			return false, "empty menu"
		}
		m := protecting.FindStringSubmatch(first[0])
		if m == nil {
			return false, fmt.Sprintf("first line %q", first[0])
		}
		n, _ := strconv.ParseInt(strings.ReplaceAll(m[1], ",", ""), 10, 64)
		return n == st.FilesProtected && st.FilesProtected > 0,
			fmt.Sprintf("menu says %d, status --json says files_protected %d (%s)", n, st.FilesProtected, st.State)
	})
	return root
}

// checkPausedFor30Minutes: status says paused, for 30 minutes from the
// click.
func checkPausedFor30Minutes(t *testing.T, bin, home string, clicked time.Time) {
	t.Helper()
	var st agentStatus
	waitFor(t, "status to report paused", func() (bool, string) {
		var err error
		if st, err = status(bin, home); err != nil {
			return false, err.Error()
		}
		return st.Paused, fmt.Sprintf("paused %v, state %s", st.Paused, st.State)
	})
	if st.PausedUntil == nil {
		t.Errorf("paused without an end; want about 30 minutes from %s", clicked.Format(time.TimeOnly))
	} else if d := st.PausedUntil.Sub(clicked); d < 29*time.Minute || d > 31*time.Minute {
		t.Errorf("paused until %s, %v after the click; want 30 minutes", st.PausedUntil.Format(time.TimeOnly), d)
	}
	text, err := exec.Command(bin, "--home", home, "status").CombinedOutput()
	if err != nil || !strings.Contains(string(text), "State: paused") {
		t.Errorf("shardkeeper status does not say paused (%v):\n%s", err, text)
	}
}

// startDemo runs `shardkeeper demo` in its own process group and stops it
// when the test ends.
func startDemo(t *testing.T, bin, dir string) {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "app.log")
	if out := os.Getenv("SHARDKEEPER_TRAY_OUT"); out != "" {
		if err := os.MkdirAll(out, 0o755); err == nil {
			logPath = filepath.Join(out, "app.log")
		}
	}
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "demo", "--files", "120", "--dir", dir, "--interval", "5s")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s demo: %v", bin, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		logf.Close()
		if t.Failed() {
			if b, err := os.ReadFile(logPath); err == nil {
				t.Logf("app log (%s):\n%s", logPath, tail(string(b), 40))
			}
		}
	})
}

// agentStatus is the part of `status --json` the test reads.
type agentStatus struct {
	FilesProtected int64      `json:"files_protected"`
	Paused         bool       `json:"paused"`
	PausedUntil    *time.Time `json:"paused_until"`
	State          string     `json:"state"`
}

func status(bin, home string) (agentStatus, error) {
	var st agentStatus
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "--home", home, "status", "--json")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return st, fmt.Errorf("status --json: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return st, json.Unmarshal(out, &st)
}

// registration is a tray item that registered with the watcher.
type registration struct {
	sender string          // the app's unique bus name
	path   dbus.ObjectPath // the item's object path
}

// watcher is the StatusNotifierWatcher stand-in.
type watcher struct {
	conn       *dbus.Conn
	registered chan registration
}

func (w *watcher) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	r := registration{sender: string(sender), path: dbus.ObjectPath(service)}
	if strings.HasPrefix(service, ":") || !strings.HasPrefix(service, "/") {
		r = registration{sender: service, path: "/StatusNotifierItem"} // registered by bus name
	}
	select {
	case w.registered <- r:
	default:
	}
	return nil
}

func (w *watcher) RegisterStatusNotifierHost(service string) *dbus.Error { return nil }

func startWatcher(t *testing.T) *watcher {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatalf("connect to the session bus: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	w := &watcher{conn: conn, registered: make(chan registration, 4)}
	if err := conn.Export(w, watcherPath, watcherName); err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName(watcherName, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own %s: reply %v, %v (is a real tray host running in this session?)", watcherName, reply, err)
	}
	return w
}

// menuPath is the item's Menu property (where its dbusmenu lives).
func menuPath(t *testing.T, conn *dbus.Conn, item registration) dbus.ObjectPath {
	v, err := conn.Object(item.sender, item.path).GetProperty(itemIface + ".Menu")
	if err != nil {
		t.Logf("no Menu property (%v): trying %s", err, defaultMenu)
		return defaultMenu
	}
	if p, ok := v.Value().(dbus.ObjectPath); ok {
		return p
	}
	return defaultMenu
}

// node is one dbusmenu item.
type node struct {
	id       int32
	label    string
	kind     string // "separator" or ""
	children []node
}

func layout(conn *dbus.Conn, dest string, path dbus.ObjectPath) (node, error) {
	return layoutAt(conn, dest, path, 0)
}

// layoutAt reads the menu from item parent down. fyne.io/systray answers
// the first GetLayout after each menu rebuild one level deep only (for
// libdbusmenu's sake), as a host would see it: a host then asks again for
// a submenu it opens.
func layoutAt(conn *dbus.Conn, dest string, path dbus.ObjectPath, parent int32) (node, error) {
	var rev uint32
	var root struct {
		ID       int32
		Props    map[string]dbus.Variant
		Children []dbus.Variant
	}
	err := conn.Object(dest, path).Call(menuIface+".GetLayout", 0, parent, int32(-1), []string{}).Store(&rev, &root)
	if err != nil {
		return node{}, fmt.Errorf("GetLayout: %w", err)
	}
	return toNode(root.ID, root.Props, root.Children), nil
}

func toNode(id int32, props map[string]dbus.Variant, children []dbus.Variant) node {
	n := node{id: id}
	if v, ok := props["label"]; ok {
		n.label, _ = v.Value().(string)
	}
	if v, ok := props["type"]; ok {
		n.kind, _ = v.Value().(string)
	}
	for _, c := range children {
		fields, ok := c.Value().([]any)
		if !ok || len(fields) != 3 {
			continue
		}
		cid, _ := fields[0].(int32)
		cprops, _ := fields[1].(map[string]dbus.Variant)
		cchildren, _ := fields[2].([]dbus.Variant)
		n.children = append(n.children, toNode(cid, cprops, cchildren))
	}
	return n
}

// labels are the children's labels, separators left out.
func (n node) labels() []string {
	var out []string
	for _, c := range n.children {
		if c.kind != "separator" {
			out = append(out, c.label)
		}
	}
	return out
}

func (n node) find(label string) (node, bool) {
	for _, c := range n.children {
		if c.label == label {
			return c, true
		}
	}
	return node{}, false
}

func click(conn *dbus.Conn, dest string, path dbus.ObjectPath, id int32) error {
	return conn.Object(dest, path).Call(menuIface+".Event", 0, id, "clicked", dbus.MakeVariant(""), uint32(time.Now().Unix())).Err
}

// waitFor polls ok until it holds, failing with ok's last word after startTimeout.
func waitFor(t *testing.T, what string, ok func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(startTimeout)
	var last string
	for {
		var done bool
		if done, last = ok(); done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v; last: %s", what, startTimeout, last)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}
