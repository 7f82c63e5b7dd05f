//go:build linux

package power

import (
	"context"

	"github.com/godbus/dbus/v5"
)

// OnBattery reports whether the machine runs on battery.
func OnBattery() (onBattery, known bool) { return BatteryFromSysfs(SysfsRoot) }

// Metered asks NetworkManager whether the primary connection is metered
// (NM_METERED_YES = 1, NM_METERED_GUESS_YES = 3).
func Metered(ctx context.Context) (metered, known bool) {
	conn, err := dbus.ConnectSystemBus(dbus.WithContext(ctx))
	if err != nil {
		return false, false
	}
	defer conn.Close()
	obj := conn.Object("org.freedesktop.NetworkManager", "/org/freedesktop/NetworkManager")
	v, err := obj.GetProperty("org.freedesktop.NetworkManager.Metered")
	if err != nil {
		return false, false
	}
	m, ok := v.Value().(uint32)
	if !ok {
		return false, false
	}
	return m == 1 || m == 3, true
}
