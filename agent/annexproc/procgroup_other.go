//go:build !unix

package annexproc

import (
	"os/exec"
	"syscall"

	"github.com/shardkeeper/shardkeeper/internal/childproc"
)

// OwnGroup: processes are killed one by one here (the default).
func OwnGroup(cmd *exec.Cmd, sig syscall.Signal) { childproc.DieWithParent(cmd) }

const (
	SigStop = syscall.SIGKILL
	SigEnd  = syscall.SIGKILL
)
