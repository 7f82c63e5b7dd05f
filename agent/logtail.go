package agent

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
)

// MaxLogTail bounds LogTail.
const MaxLogTail = 10000

// LogTail returns the last lines of the agent's log file.
func (a *Agent) LogTail(ctx context.Context, lines int) ([]string, error) {
	return TailFile(a.opts.LogPath, lines)
}

// TailFile returns the last n lines of a file (all of them when n <= 0,
// up to MaxLogTail), reading from the end.
func TailFile(path string, n int) ([]string, error) {
	if n <= 0 || n > MaxLogTail {
		n = MaxLogTail
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return []string{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, err
	}
	const chunk = 64 << 10
	var buf []byte
	for off := size; off > 0 && strings.Count(string(buf), "\n") <= n; {
		step := min(int64(chunk), off)
		off -= step
		part := make([]byte, step)
		if _, err := f.ReadAt(part, off); err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		buf = append(part, buf...)
	}
	all := strings.Split(strings.TrimRight(string(buf), "\n"), "\n")
	if len(all) == 1 && all[0] == "" {
		return []string{}, nil
	}
	if len(all) > n {
		all = all[len(all)-n:]
	}
	return all, nil
}
