//go:build unix

package annexproc

import (
	"os/exec"
	"syscall"

	"github.com/shardkeeper/shardkeeper/internal/childproc"
)

// OwnGroup runs cmd in its own process group and makes cancelling it send
// sig to the whole group, so git-annex's helpers (git cat-file, ...) stop
// with it and never hold its pipes open.
func OwnGroup(cmd *exec.Cmd, sig syscall.Signal) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	childproc.DieWithParent(cmd) // its own group: the agent's death would not reach it
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return syscall.Kill(-cmd.Process.Pid, sig)
	}
}

const (
	SigStop = syscall.SIGKILL // a download: partial content stays for resume
	// SigEnd ends the whole group at once (an upload: git-annex, its
	// special remote, curl), yet lets git remove its lock files: a git
	// update-index that git-annex was committing the journal with, killed
	// with SIGKILL, leaves .git/annex/index.lock and every later git-annex
	// command fails on it.
	SigEnd = syscall.SIGTERM
)
