//go:build unix

package plan

import "syscall"

// cpuTime is the process's CPU time so far (user and system), in ns: a
// benchmark's figure that the machine's load does not inflate.
func cpuTime() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
