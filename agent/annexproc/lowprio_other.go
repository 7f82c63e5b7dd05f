//go:build !unix

package annexproc

// LowerPriority is a no-op on Windows: git-annex runs at normal priority
// there (see docs/verification.md).
func LowerPriority(pid int) {}
