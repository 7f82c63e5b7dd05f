package power

import (
	"os"
	"path/filepath"
	"testing"
)

func supply(t *testing.T, root, name string, files map[string]string) {
	t.Helper()
	dir := filepath.Join(root, name)
	os.MkdirAll(dir, 0o755)
	for f, v := range files {
		os.WriteFile(filepath.Join(dir, f), []byte(v+"\n"), 0o644)
	}
}

func TestBatteryFromSysfs(t *testing.T) {
	laptop := t.TempDir()
	supply(t, laptop, "AC", map[string]string{"type": "Mains", "online": "0"})
	supply(t, laptop, "BAT0", map[string]string{"type": "Battery", "status": "Discharging", "scope": "System"})
	supply(t, laptop, "hidpp_battery_0", map[string]string{"type": "Battery", "status": "Discharging", "scope": "Device"})
	if on, known := BatteryFromSysfs(laptop); !on || !known {
		t.Errorf("unplugged laptop: on=%v known=%v", on, known)
	}
	os.WriteFile(filepath.Join(laptop, "AC", "online"), []byte("1\n"), 0o644)
	if on, known := BatteryFromSysfs(laptop); on || !known {
		t.Errorf("plugged laptop: on=%v known=%v", on, known)
	}
	desktop := t.TempDir()
	if _, known := BatteryFromSysfs(desktop); known {
		t.Error("a desktop without supplies claims to know")
	}
	if _, known := BatteryFromSysfs(filepath.Join(desktop, "missing")); known {
		t.Error("a missing sysfs claims to know")
	}
}
