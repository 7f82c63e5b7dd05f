//go:build !unix

package agent

import (
	"os/exec"
	"syscall"
)

// ownGroup: processes are killed one by one here (the default).
func ownGroup(cmd *exec.Cmd, sig syscall.Signal) {}

const (
	sigStop   = syscall.SIGKILL
	sigGentle = syscall.SIGKILL
)
