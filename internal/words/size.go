package words

import (
	"fmt"
	"strings"

	"github.com/dustin/go-humanize"
)

var siUnits = []string{"B", "kB", "MB", "GB", "TB", "PB", "EB"}

// Size is a size in bytes as a donor reads it, with three significant
// digits: "512 B", "4.1 MB", "48.2 GB", "482 GB". The CLI and the window
// both say sizes through it.
func Size(n int64) string {
	if n < 1000 {
		return fmt.Sprintf("%d B", max(n, 0))
	}
	v, u := float64(n), 0
	for v >= 999.5 && u < len(siUnits)-1 {
		v /= 1000
		u++
	}
	if v < 99.95 {
		return fmt.Sprintf("%.1f %s", v, siUnits[u])
	}
	return fmt.Sprintf("%.0f %s", v, siUnits[u])
}

// ParseSize reads a size given by a person: plain bytes ("1048576") or a
// human form ("50GB", "1.5 TiB", "700 MB"). The CLI and the window both
// read sizes through it.
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
