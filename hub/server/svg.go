package server

import (
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/shardkeeper/shardkeeper/hub/health"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// The dashboard's charts are SVG drawn here, on the server: the page needs
// no script and fetches nothing from elsewhere.

// bucketColor is the colour of a copies bucket: red for none, green for
// the target, warm to cool between.
func bucketColor(i, last int) string {
	switch {
	case i == 0:
		return "#c62828"
	case i == last:
		return "#2e7d32"
	}
	mid := []string{"#ef6c00", "#f9a825", "#9ccc65"}
	return mid[(i-1)%len(mid)]
}

var esc = template.HTMLEscapeString

// copiesBar is one stacked bar of a collection's files by copies.
func copiesBar(name string, buckets []health.Bucket) template.HTML {
	const w, h = 600.0, 26.0
	total := 0
	for _, b := range buckets {
		total += b.Files
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="bar" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s: files by copies">`, w, h, w, h, esc(name))
	fmt.Fprintf(&sb, `<rect width="%.0f" height="%.0f" fill="#e0e0e0"/>`, w, h)
	x := 0.0
	for i, b := range buckets {
		if total == 0 || b.Files == 0 {
			continue
		}
		bw := w * float64(b.Files) / float64(total)
		fmt.Fprintf(&sb, `<rect x="%.2f" width="%.2f" height="%.0f" fill="%s"><title>%s files with %s copies</title></rect>`,
			x, bw, h, bucketColor(i, len(buckets)-1), humanize.Comma(int64(b.Files)), esc(b.Copies))
		x += bw
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// dayTotal is the whole hub on one day.
type dayTotal struct {
	day            time.Time
	atRisk         int
	bytesProtected int64
}

// totals sums the collections of each day, oldest first.
func totals(points []store.HealthPoint) []dayTotal {
	var out []dayTotal
	for _, p := range points {
		d, err := time.Parse(time.DateOnly, p.Day)
		if err != nil {
			continue
		}
		if n := len(out); n == 0 || !out[n-1].day.Equal(d) {
			out = append(out, dayTotal{day: d})
		}
		t := &out[len(out)-1]
		t.atRisk += p.FilesAtRisk
		t.bytesProtected += p.BytesProtected
	}
	return out
}

// historyChart draws bytes protected (left axis) and files at risk (right
// axis) over the days kept.
func historyChart(days []dayTotal) template.HTML {
	const w, h, left, right, top, bottom = 680.0, 230.0, 80.0, 70.0, 20.0, 40.0
	pw, ph := w-left-right, h-top-bottom
	var maxBytes int64 = 1
	maxRisk := 1
	for _, d := range days {
		maxBytes, maxRisk = max(maxBytes, d.bytesProtected), max(maxRisk, d.atRisk)
	}
	span := 1.0
	if len(days) > 1 {
		span = max(1, days[len(days)-1].day.Sub(days[0].day).Hours()/24)
	}
	xOf := func(d dayTotal) float64 {
		if len(days) == 1 {
			return left + pw/2
		}
		return left + pw*d.day.Sub(days[0].day).Hours()/24/span
	}
	yOf := func(v, most float64) float64 { return top + ph - ph*v/most }
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="history" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" role="img" aria-label="history">`, w, h, w, h)
	fmt.Fprintf(&sb, `<rect x="%.0f" y="%.0f" width="%.0f" height="%.0f" fill="#fafafa" stroke="#bbb"/>`, left, top, pw, ph)
	fmt.Fprintf(&sb, `<text x="%.0f" y="%.0f" text-anchor="end" fill="#2e7d32">%s</text>`, left-6, top+10, humanize.Bytes(uint64(maxBytes)))
	fmt.Fprintf(&sb, `<text x="%.0f" y="%.0f" text-anchor="end" fill="#2e7d32">0</text>`, left-6, top+ph)
	fmt.Fprintf(&sb, `<text x="%.0f" y="%.0f" fill="#c62828">%s files</text>`, left+pw+6, top+10, humanize.Comma(int64(maxRisk)))
	fmt.Fprintf(&sb, `<text x="%.0f" y="%.0f" fill="#c62828">0</text>`, left+pw+6, top+ph)
	if len(days) > 0 {
		fmt.Fprintf(&sb, `<text x="%.0f" y="%.0f">%s</text>`, left, h-bottom+18, days[0].day.Format(time.DateOnly))
		fmt.Fprintf(&sb, `<text x="%.0f" y="%.0f" text-anchor="end">%s</text>`, left+pw, h-bottom+18, days[len(days)-1].day.Format(time.DateOnly))
	}
	series := func(color string, value func(dayTotal) float64, most float64, what func(dayTotal) string) {
		var pts []string
		for _, d := range days {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", xOf(d), yOf(value(d), most)))
		}
		fmt.Fprintf(&sb, `<polyline fill="none" stroke="%s" stroke-width="2.5" points="%s"/>`, color, strings.Join(pts, " "))
		for _, d := range days {
			fmt.Fprintf(&sb, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s"><title>%s: %s</title></circle>`,
				xOf(d), yOf(value(d), most), color, d.day.Format(time.DateOnly), what(d))
		}
	}
	series("#2e7d32", func(d dayTotal) float64 { return float64(d.bytesProtected) }, float64(maxBytes),
		func(d dayTotal) string { return humanize.Bytes(uint64(d.bytesProtected)) + " protected" })
	series("#c62828", func(d dayTotal) float64 { return float64(d.atRisk) }, float64(maxRisk),
		func(d dayTotal) string { return humanize.Comma(int64(d.atRisk)) + " files at risk" })
	fmt.Fprintf(&sb, `<text x="%.0f" y="%.0f" fill="#2e7d32">— bytes protected</text>`, left, h-6)
	fmt.Fprintf(&sb, `<text x="%.0f" y="%.0f" fill="#c62828">— files at risk</text>`, left+200, h-6)
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// regionBars draws copies per region, one bar each, "unknown" last.
func regionBars(byRegion map[string]int) template.HTML {
	names := make([]string, 0, len(byRegion))
	most := 1
	for r, n := range byRegion {
		names = append(names, r)
		most = max(most, n)
	}
	slices.SortFunc(names, func(a, b string) int {
		if (a == health.UnknownRegion) != (b == health.UnknownRegion) {
			if a == health.UnknownRegion {
				return 1
			}
			return -1
		}
		return strings.Compare(a, b)
	})
	const w, row, label, barW = 600.0, 26.0, 130.0, 380.0
	h := row*float64(len(names)) + 4
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="regions" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" role="img" aria-label="copies per region">`, w, h, w, h)
	for i, r := range names {
		y := float64(i) * row
		bw := barW * float64(byRegion[r]) / float64(most)
		fmt.Fprintf(&sb, `<text x="0" y="%.0f">%s</text>`, y+17, esc(r))
		fmt.Fprintf(&sb, `<rect x="%.0f" y="%.0f" width="%.2f" height="%.0f" fill="#1565c0"/>`, label, y+3, bw, row-8)
		fmt.Fprintf(&sb, `<text x="%.2f" y="%.0f">%s</text>`, label+bw+6, y+17, humanize.Comma(int64(byRegion[r])))
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}
