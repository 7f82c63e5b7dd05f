package annexproc

import (
	"os/exec"
	"syscall"
	"testing"
)

// TestLowerPriority: a verification's git-annex runs at nice 19 in the
// idle I/O class.
func TestLowerPriority(t *testing.T) {
	cmd := exec.Command("sleep", "5")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Skip(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	pid := cmd.Process.Pid
	LowerPriority(pid)
	// The raw syscall answers 20 - nice.
	if p, err := syscall.Getpriority(syscall.PRIO_PROCESS, pid); err != nil || 20-p != 19 {
		t.Errorf("nice %d (%v), want 19", 20-p, err)
	}
	const whoProcess = 1
	io, _, errno := syscall.Syscall(syscall.SYS_IOPRIO_GET, whoProcess, uintptr(pid), 0)
	if errno != 0 || io>>13 != 3 {
		t.Errorf("I/O priority class %d (%v), want 3 (idle)", io>>13, errno)
	}
}
