//go:build unix && !linux

package annexproc

import "syscall"

// LowerPriority nices git-annex's process group to 19; macOS and the BSDs
// offer no I/O class to a non-root process this way.
func LowerPriority(pgid int) {
	syscall.Setpriority(syscall.PRIO_PGRP, pgid, 19)
}
