//go:build !linux && !darwin && !windows

package power

import "context"

// OnBattery is not detected on this system.
func OnBattery() (onBattery, known bool) { return false, false }

// Metered is not detected on this system.
func Metered(ctx context.Context) (metered, known bool) { return false, false }
