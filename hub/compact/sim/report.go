package sim

import (
	"fmt"
	"io"
	"time"
)

// Goals of issue 16.
const (
	GoalGrowthPer100k = 10 << 20 // bytes per month per 100k keys with 6 donors, after compaction
	GoalCloneRatio    = 1.5      // a fresh clone of the old shard against one of a new shard
	GoalHealthRatio   = 1.2      // cold health on the old shard against a new one
)

func mib(n int64) string {
	if n < 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64(n)/(1<<20))
}

func ms(d time.Duration) string { return fmt.Sprintf("%d", d.Milliseconds()) }

// Table writes the month-by-month table, without and with compaction.
func Table(w io.Writer, before, after []Month) {
	fmt.Fprintln(w, "| month | repo MiB, no compaction | fresh clone MiB, no compaction | cold health ms, no compaction | repo MiB, compacted | fresh clone MiB, compacted | cold health ms, compacted | pushes | lines written | files at 3+ copies |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for i := range after {
		b := Month{RepoBytes: -1, CloneBytes: -1}
		if i < len(before) {
			b = before[i]
		}
		a := after[i]
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %s | %d | %d | %d |\n", a.Month, mib(b.RepoBytes), mib(b.CloneBytes), ms(b.HealthCold),
			mib(a.RepoBytes), mib(a.CloneBytes), ms(a.HealthCold), a.Pushes, a.Lines, a.Covered)
	}
}

// Verdict is one goal: the value, the goal and whether it was met.
type Verdict struct {
	Name, Value, Goal string
	Met               bool
}

// Goals judges the compacted run (month 0 is the new shard; growth is
// measured from month 1, when every first donor holds its share, on).
func Goals(after []Month, keys int) []Verdict {
	last, first, zero := after[len(after)-1], after[min(1, len(after)-1)], after[0]
	months := max(last.Month-first.Month, 1)
	growth := float64(last.RepoBytes-first.RepoBytes) / float64(months) * 100000 / float64(keys)
	clone := float64(last.CloneBytes) / float64(zero.CloneBytes)
	healthNew := float64(last.HealthCold) / float64(zero.HealthCold)
	healthM1 := float64(last.HealthCold) / float64(first.HealthCold)
	return []Verdict{
		{"growth per month per 100k keys after compaction (months 1 to last)", fmt.Sprintf("%.2f MiB", growth/(1<<20)), "≤ 10 MiB", growth <= GoalGrowthPer100k},
		{"fresh clone, last month / new shard", fmt.Sprintf("%.2f× (%s / %s MiB)", clone, mib(last.CloneBytes), mib(zero.CloneBytes)), "≤ 1.5×", clone <= GoalCloneRatio},
		{"cold health, last month / new shard (month 0)", fmt.Sprintf("%.2f× (%s / %s ms)", healthNew, ms(last.HealthCold), ms(zero.HealthCold)), "≤ 1.2×", healthNew <= GoalHealthRatio},
		{"cold health, last month / month 1 (donors' first lines in)", fmt.Sprintf("%.2f× (%s / %s ms)", healthM1, ms(last.HealthCold), ms(first.HealthCold)), "≤ 1.2×", healthM1 <= GoalHealthRatio},
	}
}

// WriteGoals writes the verdicts as a table.
func WriteGoals(w io.Writer, vs []Verdict) {
	fmt.Fprintln(w, "| goal | value | target | met |")
	fmt.Fprintln(w, "|---|---:|---:|---|")
	for _, v := range vs {
		met := "missed"
		if v.Met {
			met = "met"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", v.Name, v.Value, v.Goal, met)
	}
}
