package verify

import (
	"runtime"
	"syscall"
	"testing"
)

// TestLowerThreadPriority: the thread verification reads on runs at nice
// 19 in the idle I/O class. (Threads the Go runtime starts later do not
// inherit it: it creates them from a clean thread while this one is
// locked.)
func TestLowerThreadPriority(t *testing.T) {
	got := make(chan [2]int)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		tid := syscall.Gettid()
		lowerThreadPriority()
		p, _ := syscall.Getpriority(syscall.PRIO_PROCESS, tid) // the raw syscall answers 20 - nice
		const whoProcess = 1
		io, _, _ := syscall.Syscall(syscall.SYS_IOPRIO_GET, whoProcess, uintptr(tid), 0)
		got <- [2]int{20 - p, int(io >> 13)}
	}()
	if r := <-got; r[0] != 19 || r[1] != 3 {
		t.Errorf("the verifying thread: nice %d, I/O class %d; want 19 and 3 (idle)", r[0], r[1])
	}
}
