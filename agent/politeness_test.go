package agent

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// TestBandwidthLimitHolds measures, loosely, a fill under a 100 KB/s
// limit: git-annex downloads through the agent's proxy, which paces all
// transfers together.
func TestBandwidthLimitHolds(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 6, func(int) int { return 50 << 10 })
	h := w.join("donor", w.total()*2)
	a := newAgent(t, h, Options{Jobs: 3})
	ctx := context.Background()
	s, _ := a.Settings(ctx)
	s.BandwidthKBps = 100
	if err := a.UpdateSettings(ctx, s); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := a.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	st, _ := a.Status(ctx)
	rate := float64(st.BytesHeld) / took.Seconds() / 1024
	t.Logf("%d bytes in %v: %.0f KB/s under a 100 KB/s limit", st.BytesHeld, took.Round(time.Millisecond), rate)
	if st.FilesProtected != 6 {
		t.Fatalf("fetched %d files, want 6", st.FilesProtected)
	}
	if rate > 200 {
		t.Errorf("%.0f KB/s: the limit of 100 KB/s did not hold", rate)
	}
}

// TestScheduleWindow: outside the download hours nothing is fetched (and
// status says why); when the window opens, the fill starts.
func TestScheduleWindow(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 3, func(int) int { return 4 << 10 })
	h := w.join("donor", w.total()*2)
	y, m, d := time.Now().Date()
	clock := newFakeClock(time.Date(y, m, d, 12, 0, 0, 0, time.Local))
	a := newAgent(t, h, Options{Clock: clock})
	ctx := context.Background()
	s, _ := a.Settings(ctx)
	s.Schedule, s.OffHoursKBps = "01:00-07:00", 0
	if err := a.UpdateSettings(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := a.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	st, _ := a.Status(ctx)
	if st.FilesProtected != 0 || !strings.Contains(st.Message, "download hours") {
		t.Errorf("at noon with a 01:00-07:00 schedule: %d files, %q", st.FilesProtected, st.Message)
	}
	if wait := a.policyWait(); wait > 30*time.Second {
		t.Errorf("next policy check in %v", wait)
	}
	clock.Advance(14 * time.Hour) // 02:00
	a.applyPolicy()
	if err := a.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := a.Status(ctx); st.FilesProtected != 3 {
		t.Errorf("inside the window: %d files, want 3", st.FilesProtected)
	}
	// Outside the window with an off-hours rate, downloads go on slowly.
	clock.Advance(6 * time.Hour) // 08:00
	s.OffHoursKBps = 50
	if err := a.UpdateSettings(ctx, s); err != nil {
		t.Fatal(err)
	}
	if a.limiter.Rate() != 50*1024 || a.blocked != "" {
		t.Errorf("off hours at 50 KB/s: rate %d, blocked %q", a.limiter.Rate(), a.blocked)
	}
	if err := a.UpdateSettings(ctx, control.Settings{Limits: s.Limits, Schedule: "25:00-07:00"}); err == nil {
		t.Error("a schedule at 25:00 accepted")
	}
}

func TestFetchPolicy(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 1, 1, h, m, 0, 0, time.Local) }
	for _, c := range []struct {
		s       control.Settings
		t       time.Time
		allowed bool
		rate    int64
	}{
		{control.Settings{}, at(12, 0), true, 0},
		{control.Settings{BandwidthKBps: 10}, at(12, 0), true, 10 << 10},
		{control.Settings{Schedule: "01:00-07:00"}, at(3, 0), true, 0},
		{control.Settings{Schedule: "01:00-07:00"}, at(7, 0), false, 0},
		{control.Settings{Schedule: "22:00-06:00", OffHoursKBps: 20}, at(23, 0), true, 0},
		{control.Settings{Schedule: "22:00-06:00", OffHoursKBps: 20}, at(12, 0), true, 20 << 10},
		{control.Settings{Schedule: "22:00-06:00", OffHoursKBps: 20, BandwidthKBps: 5}, at(12, 0), true, 5 << 10},
	} {
		ok, rate, _ := fetchPolicy(c.s, c.t)
		if ok != c.allowed || rate != c.rate {
			t.Errorf("%+v at %s: allowed %v rate %d; want %v %d", c.s, c.t.Format("15:04"), ok, rate, c.allowed, c.rate)
		}
	}
	w, _, _ := parseSchedule("22:00-06:00")
	if next := w.nextChange(at(12, 0)); !next.Equal(at(22, 0)) {
		t.Errorf("next change %v", next)
	}
}

func TestComputeBudgetMostRestrictiveWins(t *testing.T) {
	disk := DiskInfo{Total: 1000, Avail: 300, Block: 4096}
	for _, c := range []struct {
		l       control.Limits
		used    int64
		want    int64
		binding string
	}{
		{control.Limits{MaxBytes: 500}, 100, 500, control.BindMaxBytes},
		{control.Limits{MaxBytes: 500, KeepFreeBytes: 200}, 100, 200, control.BindKeepFree}, // 100 used + 300 free - 200
		{control.Limits{MaxBytes: 500, MaxPercent: 10}, 100, 100, control.BindMaxPercent},
		{control.Limits{KeepFreeBytes: 900}, 100, 0, control.BindKeepFree},
	} {
		b := ComputeBudget(c.l, disk, true, c.used)
		if b.EffectiveBytes != c.want || b.Binding != c.binding || b.Disk.UsedByOthers != 1000-300-c.used {
			t.Errorf("%+v: %d by %s; want %d by %s", c.l, b.EffectiveBytes, b.Binding, c.want, c.binding)
		}
	}
	if b := ComputeBudget(control.Limits{MaxBytes: 5, KeepFreeBytes: 1}, DiskInfo{}, false, 0); b.EffectiveBytes != 5 {
		t.Errorf("unknown disk: %+v", b)
	}
	if err := CheckLimits(control.Limits{}); err == nil {
		t.Error("no limit at all accepted")
	}
}
