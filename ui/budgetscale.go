package ui

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// budgetScale is the Space tab's ruler: the sizes the budget slider stops
// at, 1, 2, 5, 10, 20, 50 … GB up to all the space Shardkeeper could use,
// evenly spaced. A small donation gets as much room as a large one: on a
// 400 GB drive, 1 to 10 GB take a third of the slider, not 2%. The bar over
// the slider is drawn on the same scale, so the thumb sits on its edge.
type budgetScale struct {
	stops []int64 // ascending; the last is the usable space
}

const gigabyte = 1_000_000_000

// nearlyAll: a step this close to the end is left out, so the last two
// stops (say 200 GB and 210 GB) never crowd each other.
const nearlyAll = 0.75

// newBudgetScale spans the usable space. It starts at 1 GB, on a drive
// under 10 GB at a tenth of its order of magnitude, and lower still when
// the donor gives less than that (current), so the thumb never sits
// squeezed at the left end.
func newBudgetScale(usable, current int64) budgetScale {
	if usable <= 1 {
		return budgetScale{stops: []int64{max(usable, 1)}}
	}
	start := int64(gigabyte)
	if usable < 10*gigabyte {
		start = decade(usable / 10)
	}
	if current > 0 && current < start {
		start = decade(current)
	}
	var stops []int64
	for decade := start; float64(decade) <= nearlyAll*float64(usable); decade *= 10 {
		for _, m := range []int64{1, 2, 5} {
			if v := decade * m; float64(v) <= nearlyAll*float64(usable) {
				stops = append(stops, v)
			}
		}
	}
	return budgetScale{stops: append(stops, usable)}
}

// decade is the power of ten at or below n (1 for n < 10).
func decade(n int64) int64 {
	d := int64(1)
	for d <= n/10 {
		d *= 10
	}
	return d
}

// steps is the slider's range: it runs from 0 to steps.
func (s budgetScale) steps() int { return len(s.stops) - 1 }

// at is the size of stop i (the nearest stop when i is out of range).
func (s budgetScale) at(i int) int64 { return s.stops[min(max(i, 0), s.steps())] }

// pos is where a size sits on the slider, 0 to steps: a stop at its own
// index, a size between two stops in between (evenly on a log scale).
func (s budgetScale) pos(n int64) float64 {
	i := sort.Search(len(s.stops), func(i int) bool { return s.stops[i] > n }) - 1
	switch {
	case i < 0:
		return 0
	case i >= s.steps():
		return float64(s.steps())
	}
	lo, hi := float64(s.stops[i]), float64(s.stops[i+1])
	return float64(i) + math.Log(float64(n)/lo)/math.Log(hi/lo)
}

// frac is pos as a fraction of the slider's track, 0 to 1.
func (s budgetScale) frac(n int64) float64 {
	if s.steps() == 0 {
		return 1
	}
	return s.pos(n) / float64(s.steps())
}

// tickStops are the stops labelled under the slider: the first, every
// power of ten (1 GB, 10 GB, 100 GB …) and the last.
func (s budgetScale) tickStops() []int {
	var ticks []int
	for i, v := range s.stops {
		if i == 0 || i == s.steps() || isPowerOf10(v) {
			ticks = append(ticks, i)
		}
	}
	return ticks
}

func isPowerOf10(v int64) bool {
	for v >= 10 && v%10 == 0 {
		v /= 10
	}
	return v == 1
}

// shortBytes is bytesText without a trailing ".0": "1 GB", "12.5 GB".
func shortBytes(n int64) string {
	t := bytesText(n)
	if num, unit, ok := strings.Cut(t, " "); ok {
		return strings.TrimSuffix(num, ".0") + " " + unit
	}
	return t
}

// shareText is a percentage that never shows a donation as "0%": "0.3%",
// "2.5%", "50%".
func shareText(n, of int64) string {
	if of <= 0 || n <= 0 {
		return "0%"
	}
	p := 100 * float64(n) / float64(of)
	switch {
	case p >= 10:
		return strconv.Itoa(int(math.Round(p))) + "%"
	case p < 0.1:
		return "less than 0.1%"
	}
	return strconv.FormatFloat(math.Round(p*10)/10, 'f', -1, 64) + "%"
}
