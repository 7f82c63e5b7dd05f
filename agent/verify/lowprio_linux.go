package verify

import "syscall"

// lowerThreadPriority puts the calling thread (Linux sets nice and the I/O
// priority per thread) at nice 19 in the idle I/O class, as git-annex's
// fsck ran before the agent hashed by itself. Processes it starts inherit
// it. The caller has locked its goroutine to the thread.
func lowerThreadPriority() {
	tid := syscall.Gettid()
	syscall.Setpriority(syscall.PRIO_PROCESS, tid, 19)
	const whoProcess, classIdle, classShift = 1, 3, 13
	syscall.Syscall(syscall.SYS_IOPRIO_SET, whoProcess, uintptr(tid), classIdle<<classShift)
}
