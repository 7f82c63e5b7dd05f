package control

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// maxSockPath is what fits in a Unix socket address (108 bytes on Linux,
// 104 on macOS, with the terminating NUL).
const maxSockPath = 100

// withShortPath calls fn with a name for the socket at path that fits in a
// socket address: path itself when short enough, else, on Linux, a name
// through an open descriptor of its folder (/proc/self/fd/N/agent.sock).
// A home under a long path (deep folders, non-ASCII names take 2-3 bytes
// a letter) once kept the agent from starting: "bind: invalid argument".
func withShortPath(path string, fn func(string) error) error {
	if len(path) <= maxSockPath || runtime.GOOS != "linux" {
		return fn(path)
	}
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return fn(path)
	}
	defer dir.Close()
	return fn(fmt.Sprintf("/proc/self/fd/%d/%s", dir.Fd(), filepath.Base(path)))
}
