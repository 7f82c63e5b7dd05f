//go:build unix && !linux

package agent

import "syscall"

// lowerPriority nices git-annex's process group to 19; macOS and the BSDs
// offer no I/O class to a non-root process this way.
func lowerPriority(pgid int) {
	syscall.Setpriority(syscall.PRIO_PGRP, pgid, 19)
}
