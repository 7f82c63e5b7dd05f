//go:build windows

package power

import (
	"context"
	"syscall"
	"unsafe"
)

var getSystemPowerStatus = syscall.NewLazyDLL("kernel32.dll").NewProc("GetSystemPowerStatus")

// systemPowerStatus is Windows' SYSTEM_POWER_STATUS.
type systemPowerStatus struct {
	ACLineStatus        byte
	BatteryFlag         byte
	BatteryLifePercent  byte
	SystemStatusFlag    byte
	BatteryLifeTime     uint32
	BatteryFullLifeTime uint32
}

// OnBattery asks Windows whether the AC line is offline.
func OnBattery() (onBattery, known bool) {
	var s systemPowerStatus
	if r, _, _ := getSystemPowerStatus.Call(uintptr(unsafe.Pointer(&s))); r == 0 {
		return false, false
	}
	switch s.ACLineStatus {
	case 0:
		return true, true
	case 1:
		return false, true
	}
	return false, false
}

// Metered is not detected on Windows (it needs WinRT).
func Metered(ctx context.Context) (metered, known bool) { return false, false }
