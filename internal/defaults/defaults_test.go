package defaults

import (
	"io"
	"strings"
	"testing"
	"time"
)

func TestPositive(t *testing.T) {
	for _, c := range []struct{ in, want time.Duration }{{0, time.Hour}, {-1, time.Hour}, {time.Second, time.Second}} {
		v := c.in
		Positive(&v, time.Hour)
		if v != c.want {
			t.Errorf("Positive(%v) = %v, want %v", c.in, v, c.want)
		}
	}
	n := int64(0)
	Positive(&n, 3)
	if n != 3 {
		t.Errorf("Positive(0) = %d, want 3", n)
	}
}

func TestZero(t *testing.T) {
	var r io.Reader
	def := strings.NewReader("x")
	Zero(&r, io.Reader(def))
	if r != def {
		t.Errorf("nil reader not set to the default")
	}
	other := strings.NewReader("y")
	r = other
	Zero(&r, io.Reader(def))
	if r != other {
		t.Errorf("a set reader was replaced")
	}
	n := -1
	Zero(&n, 5)
	if n != -1 {
		t.Errorf("Zero(-1) = %d, want -1 (only zero is unset)", n)
	}
}
