//go:build !unix

package annexproc

import (
	"os/exec"
	"syscall"
)

// OwnGroup: processes are killed one by one here (the default).
func OwnGroup(cmd *exec.Cmd, sig syscall.Signal) {}

const (
	SigStop   = syscall.SIGKILL
	SigGentle = syscall.SIGKILL
)
