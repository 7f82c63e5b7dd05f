// Package power tells whether the machine runs on battery and whether its
// network connection is metered, where the OS says so. What is detected:
//
//   - Linux: battery from /sys/class/power_supply (a "Mains"/"USB" supply
//     online means plugged in; otherwise a "Battery" discharging means on
//     battery); metered from NetworkManager over the system DBus (its
//     Metered property: yes or guess-yes).
//   - macOS: battery from `pmset -g batt`; metered: not detected.
//   - Windows: battery from GetSystemPowerStatus; metered: not detected.
//   - Elsewhere: nothing (known is false, and the agent does not pause).
package power

import (
	"os"
	"path/filepath"
	"strings"
)

// SysfsRoot is where Linux exposes power supplies.
const SysfsRoot = "/sys/class/power_supply"

// BatteryFromSysfs reads power supplies under root (Linux's layout).
func BatteryFromSysfs(root string) (onBattery, known bool) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return false, false
	}
	discharging, sawBattery := false, false
	for _, e := range entries {
		dir := filepath.Join(root, e.Name())
		switch read(dir, "type") {
		case "Mains", "USB", "USB_C", "USB_PD":
			if read(dir, "online") == "1" {
				return false, true
			}
		case "Battery":
			if read(dir, "scope") == "Device" {
				continue // a mouse's battery says nothing about the computer
			}
			sawBattery = true
			if read(dir, "status") == "Discharging" {
				discharging = true
			}
		}
	}
	return discharging, sawBattery
}

func read(dir, name string) string {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
