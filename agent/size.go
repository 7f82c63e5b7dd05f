package agent

import (
	"fmt"
	"strings"

	"github.com/shardkeeper/shardkeeper/internal/words"

	"github.com/dustin/go-humanize"
)

// ParseSize reads a size given by a person: plain bytes ("1048576") or a
// human form ("50GB", "1.5 TiB", "700 MB").
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("no size given: use bytes or a size such as 50GB or 1.5 TiB")
	}
	n, err := humanize.ParseBytes(t)
	if err != nil || n > 1<<62 {
		return 0, fmt.Errorf("%q is not a size: use bytes or a size such as 50GB or 1.5 TiB", s)
	}
	return int64(n), nil
}

// FormatSize is the human form used in messages ("48.2 MB"): words.Size,
// the one size formatter of the CLI and the window.
func FormatSize(n int64) string { return words.Size(n) }
