package annexproc

import "syscall"

// LowerPriority makes a verification yield to everything else: nice 19
// for the CPU and the idle I/O class, for git-annex's whole process group
// (its helpers too; children started later inherit both).
func LowerPriority(pgid int) {
	syscall.Setpriority(syscall.PRIO_PGRP, pgid, 19)
	const whoPgrp, classIdle, classShift = 2, 3, 13
	syscall.Syscall(syscall.SYS_IOPRIO_SET, whoPgrp, uintptr(pgid), classIdle<<classShift)
}
