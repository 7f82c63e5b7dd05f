//go:build !linux

package verify

// lowerThreadPriority does nothing here: only Linux sets a thread's
// priority apart from its process's.
func lowerThreadPriority() {}
