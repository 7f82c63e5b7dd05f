package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// parseDays reads an expiry such as "120d" (days), or any Go duration
// ("2160h"). Days are what operators think in; Go has no unit for them.
func parseDays(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err == nil && days > 0 {
			return time.Duration(days) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, nil
	}
	return 0, fmt.Errorf("--expiry %q is not a positive number of days such as 120d", s)
}
