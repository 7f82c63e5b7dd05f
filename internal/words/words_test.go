package words

import (
	"testing"
	"time"
)

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{{0, "0 files"}, {1, "1 file"}, {2, "2 files"}, {12345, "12,345 files"}} {
		if got := Count(c.n, "file", "files"); got != c.want {
			t.Errorf("Count(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestAgree(t *testing.T) {
	if Agree(1, "needs", "need") != "needs" || Agree(0, "needs", "need") != "need" || Agree(3, "was", "were") != "were" {
		t.Error("Agree picks the wrong form")
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Hour:                       "1 hour",
		90 * time.Minute:                "1 hour 30 minutes",
		59*time.Minute + 40*time.Second: "1 hour",
		45 * time.Minute:                "45 minutes",
		20 * time.Second:                "less than a minute",
		51*time.Hour + 7*time.Minute:    "2 days 3 hours",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
}
