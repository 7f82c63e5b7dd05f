package agent

import "github.com/shardkeeper/shardkeeper/internal/words"

// ParseSize reads a size given by a person: plain bytes ("1048576") or a
// human form ("50GB", "1.5 TiB", "700 MB"): words.ParseSize, the one size
// parser of the CLI and the window.
func ParseSize(s string) (int64, error) { return words.ParseSize(s) }

// FormatSize is the human form used in messages ("48.2 MB"): words.Size,
// the one size formatter of the CLI and the window.
func FormatSize(n int64) string { return words.Size(n) }
