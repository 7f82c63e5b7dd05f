//go:build linux || freebsd || openbsd || netbsd || dragonfly

package ui

import (
	"os"
	"testing"

	"github.com/godbus/dbus/v5"
)

// With no session bus there is no tray to hide in.
func TestNoSessionBusMeansNoTrayHost(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+t.TempDir()+"/no-bus")
	if SystemTrayHost() {
		t.Error("a tray host found without a session bus")
	}
}

// Under dbus-run-session: no host until someone owns the watcher's name.
func TestTrayHostIsTheWatchersOwner(t *testing.T) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("no DBus session bus (run under dbus-run-session to test tray host detection)")
	}
	if SystemTrayHost() {
		t.Skip("this session already has a tray host")
	}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Skip("session bus unusable:", err)
	}
	defer conn.Close()
	if reply, err := conn.RequestName(statusNotifierWatcher, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own %s: %v %v", statusNotifierWatcher, reply, err)
	}
	if !SystemTrayHost() {
		t.Error("the watcher's owner is not seen as a tray host")
	}
}
