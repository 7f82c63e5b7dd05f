//go:build !unix

package annexproc

import (
	"errors"
	"os/exec"
	"syscall"

	"github.com/shardkeeper/shardkeeper/internal/childproc"
)

// OwnGroup: processes are killed one by one here (the default).
func OwnGroup(cmd *exec.Cmd, sig syscall.Signal) { childproc.DieWithParent(cmd) }

const (
	SigStop   = syscall.SIGKILL
	SigGentle = syscall.SIGKILL
	SigEnd    = syscall.SIGKILL
)

// Hold cannot stop a process here: verification's I/O limit holds fsck
// only by not reading its results.
func Hold(pid int) error { return errors.New("cannot hold a process on this system") }

// Release: nothing was held.
func Release(pid int) error { return nil }
