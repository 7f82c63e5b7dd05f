//go:build !linux

package childproc

import "os/exec"

// DieWithParent does nothing here: only Linux has a parent-death signal.
// Children end when their pipes to the dead parent close.
func DieWithParent(cmd *exec.Cmd) {}
