package childproc

import (
	"os/exec"
	"syscall"
)

// DieWithParent asks the kernel to send the child SIGTERM when its parent
// dies. git removes its lock files on SIGTERM; a git-annex held with
// SIGSTOP is continued and hung up by the kernel (an orphaned stopped
// process group), so that case ends too.
func DieWithParent(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGTERM
}
