//go:build darwin

package power

import (
	"context"
	"os/exec"
	"strings"
)

// OnBattery asks pmset which source powers the Mac.
func OnBattery() (onBattery, known bool) {
	out, err := exec.Command("pmset", "-g", "batt").Output()
	if err != nil {
		return false, false
	}
	s := string(out)
	switch {
	case strings.Contains(s, "'Battery Power'"):
		return true, true
	case strings.Contains(s, "'AC Power'"):
		return false, true
	}
	return false, false
}

// Metered is not detected on macOS.
func Metered(ctx context.Context) (metered, known bool) { return false, false }
