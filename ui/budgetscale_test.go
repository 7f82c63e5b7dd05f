package ui

import (
	"math"
	"slices"
	"testing"
)

func TestBudgetScale(t *testing.T) {
	const GB = gigabyte
	for _, c := range []struct {
		usable, current int64
		want            []int64
	}{
		{400 * GB, 200 * GB, []int64{1 * GB, 2 * GB, 5 * GB, 10 * GB, 20 * GB, 50 * GB, 100 * GB, 200 * GB, 400 * GB}},
		{250 * GB, 0, []int64{1 * GB, 2 * GB, 5 * GB, 10 * GB, 20 * GB, 50 * GB, 100 * GB, 250 * GB}}, // not 200 next to 250
		{4 * GB, 4 * GB, []int64{100e6, 200e6, 500e6, 1 * GB, 2 * GB, 4 * GB}},
		// Giving less than the first stop starts the scale at its decade.
		{80 * GB, 798e3, []int64{100e3, 200e3, 500e3, 1e6, 2e6, 5e6, 10e6, 20e6, 50e6, 100e6, 200e6, 500e6,
			1 * GB, 2 * GB, 5 * GB, 10 * GB, 20 * GB, 50 * GB, 80 * GB}},
		{1, 1, []int64{1}},
	} {
		s := newBudgetScale(c.usable, c.current)
		if !slices.Equal(s.stops, c.want) {
			t.Errorf("stops for %s: %v, want %v", bytesText(c.usable), s.stops, c.want)
		}
	}

	s := newBudgetScale(400*GB, 200*GB)
	for _, c := range []struct {
		n    int64
		want float64
	}{
		{0, 0}, {GB / 2, 0}, {GB, 0}, {200 * GB, 7}, {150 * GB, 6 + math.Log(1.5)/math.Log(2)}, {400 * GB, 8}, {500 * GB, 8},
	} {
		if got := s.pos(c.n); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("pos(%s) = %v, want %v", bytesText(c.n), got, c.want)
		}
	}
	if got := s.tickStops(); !slices.Equal(got, []int{0, 3, 6, 8}) {
		t.Errorf("labelled stops %v, want 1 GB, 10 GB, 100 GB and 400 GB", got)
	}
	if f := newBudgetScale(1, 1).frac(1); f != 1 {
		t.Errorf("a one-stop scale puts its stop at %v, not the end", f)
	}
}

func TestShareAndShortBytes(t *testing.T) {
	for _, c := range []struct {
		n, of int64
		want  string
	}{
		{1e9, 400e9, "0.3%"}, {5e9, 400e9, "1.3%"}, {20e9, 400e9, "5%"}, {50e9, 400e9, "13%"},
		{200e9, 400e9, "50%"}, {1e6, 400e9, "less than 0.1%"}, {0, 400e9, "0%"}, {1, 0, "0%"},
	} {
		if got := shareText(c.n, c.of); got != c.want {
			t.Errorf("shareText(%d, %d) = %q, want %q", c.n, c.of, got, c.want)
		}
	}
	for n, want := range map[int64]string{1e9: "1 GB", 12_500_000_000: "12.5 GB", 400e9: "400 GB", 1e12: "1 TB", 500: "500 B"} {
		if got := shortBytes(n); got != want {
			t.Errorf("shortBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
