//go:build !windows

package osservice

// platformManager: elsewhere kardianos/service is used.
func platformManager(Target) manager { return nil }
