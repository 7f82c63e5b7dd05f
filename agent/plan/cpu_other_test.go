//go:build !unix

package plan

// cpuTime is not measured here (the benchmark then reports 0).
func cpuTime() int64 { return 0 }
