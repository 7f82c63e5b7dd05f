//go:build linux || freebsd || openbsd || netbsd || dragonfly

package ui

import "github.com/godbus/dbus/v5"

// SystemTrayHost reports whether a tray host is there to show Shardkeeper's
// icon: someone owns org.kde.StatusNotifierWatcher on the session bus. It is
// asked when the window closes, so a host that appears later still counts.
// No session bus, or no answer, means no tray.
func SystemTrayHost() bool {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return false
	}
	defer conn.Close()
	return nameHasOwner(conn, statusNotifierWatcher)
}

func nameHasOwner(conn *dbus.Conn, name string) bool {
	var owned bool
	err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&owned)
	return err == nil && owned
}
