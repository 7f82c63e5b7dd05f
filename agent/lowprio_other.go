//go:build !unix

package agent

// lowerPriority is a no-op on Windows: git-annex runs at normal priority
// there (see docs/verification.md).
func lowerPriority(pid int) {}
