package health

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/manifest"
	"github.com/shardkeeper/shardkeeper/hub/shard"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

func TestCopiesJSON(t *testing.T) {
	for _, tc := range []struct {
		c    Copies
		want string
	}{
		{nil, `{"0":0}`},
		{Copies{3}, `{"0":3}`},
		{Copies{1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 5}, `{"0":1,"1":0,"2":2,"3":0,"4":0,"5":0,"6":0,"7":0,"8":0,"9":0,"10":5}`},
	} {
		b, _ := json.Marshal(tc.c)
		if string(b) != tc.want {
			t.Errorf("%v -> %s, want %s", tc.c, b, tc.want)
		}
		var back Copies
		if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, tc.c.orZero()) {
			t.Errorf("%s -> %v %v", b, back, err)
		}
	}
}

var t0 = time.Unix(1700000000, 0).UTC()

// fixture is a built shard whose donor refs tests write directly, the way
// accepted pushes leave them.
type fixture struct {
	data    string
	entries []manifest.Entry
	g       annex.Git
}

// newFixture builds one shard of n files; file i is i*10+10 bytes and
// lives at path "dir/f<i>.bin".
func newFixture(t testing.TB, n int) fixture {
	t.Helper()
	var entries []manifest.Entry
	for i := range n {
		entries = append(entries, manifest.Entry{Path: fmt.Sprintf("dir/f%d.bin", i), Size: int64(10 * (i + 1)),
			SHA256: fmt.Sprintf("%064x", i+1), URL: fmt.Sprintf("http://h/f%d", i)})
	}
	data := t.TempDir()
	if _, err := shard.Build(context.Background(), entries, shard.Options{DataDir: data, Now: func() time.Time { return t0 }}); err != nil {
		t.Fatal(err)
	}
	return fixture{data: data, entries: entries, g: annex.Git{Dir: shard.RepoDir(data, "shard-0001")}}
}

func (f fixture) key(i int) annex.Key { return shard.KeyOf(f.entries[i]) }

// push commits files (path -> content) onto ref, starting from the hub's
// branch when the ref does not exist yet.
func (f fixture) push(t testing.TB, ref string, files map[string]string) {
	t.Helper()
	from := ref
	if !f.g.RefExists(context.Background(), ref) {
		from = annex.BranchRef
	}
	var b strings.Builder
	fmt.Fprintf(&b, "commit %s\ncommitter x <x@x> 1700000100 +0000\ndata 0\nfrom %s^0\n", ref, from)
	for p, content := range files {
		fmt.Fprintf(&b, "M 100644 inline %s\ndata %d\n%s\n", p, len(content), content)
	}
	b.WriteString("done\n")
	if _, err := f.g.Output(context.Background(), strings.NewReader(b.String()), "fast-import", "--quiet", "--done"); err != nil {
		t.Fatal(err)
	}
}

// holds is a location log where uuids say present at ts (the web too).
func holds(ts time.Time, uuids ...string) string {
	s := annex.TimestampOf(t0).String() + " 1 " + annex.WebUUID + "\n"
	for _, u := range uuids {
		s += annex.TimestampOf(ts).String() + " 1 " + u + "\n"
	}
	return s
}

func donorRef(uuid string) string { return DonorRefPrefix + uuid + "/git-annex" }

func at(now time.Time) Options { return Options{Now: func() time.Time { return now }} }

// TestDonorRefsCount: one donor holds a key, one holds two keys but is
// marked dead in trust.log, one claims a key the archive never registered.
func TestDonorRefsCount(t *testing.T) {
	f := newFixture(t, 3)
	bogus := annex.NewKey(annex.BackendMD5E, 1, strings.Repeat("f", 32), "z")
	ts := t0.Add(100 * time.Second)
	f.push(t, donorRef("d1"), map[string]string{
		annex.LocationLogPath(f.key(0)): holds(ts, "d1"),
		annex.LocationLogPath(bogus):    holds(ts, "d1"),
	})
	f.push(t, donorRef("d2"), map[string]string{
		annex.LocationLogPath(f.key(0)): holds(ts, "d2"),
		annex.LocationLogPath(f.key(1)): holds(ts, "d2"),
	})
	// trust.log is the archive's: it comes from the hub's branch.
	f.push(t, annex.BranchRef, map[string]string{"trust.log": "d2 X timestamp=1700000100s\n"})

	r, err := Compute(context.Background(), f.data, at(t0.Add(time.Hour)), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(r.Shards)
	want := `[{"name":"shard-0001","collection":"default","files":3,"bytes":60,"copies":{"0":2,"1":1},"donors":2,` +
		`"by_copies":[{"copies":"0","files":2,"bytes":50},{"copies":"1","files":1,"bytes":10},{"copies":"2","files":0,"bytes":0},{"copies":"3+","files":0,"bytes":0}],` +
		`"verified_30d":1,"unverified_30d":0,"lacking_copies":8,"bytes_lacking_copies":170,"copies_by_region":{"unknown":1},"donors_active":0,"donors_expired":0,"donors_failing_proofs":0}]`
	if string(b) != want {
		t.Errorf("shards\n%s\nwant\n%s", b, want)
	}
	if r.Total.Files != 3 || r.Total.Copies[1] != 1 || r.Total.Shards != 1 || r.Total.ByCopies[0].Bytes != 50 {
		t.Errorf("total %+v", r.Total)
	}
}

// TestExpiryAndCheckIn: a donor silent for longer than the expiry stops
// counting; once it checks in it counts again. Unregistered UUIDs never
// count when there is a registry.
func TestExpiryAndCheckIn(t *testing.T) {
	f := newFixture(t, 2)
	now := t0.Add(200 * 24 * time.Hour)
	f.push(t, donorRef("alive"), map[string]string{annex.LocationLogPath(f.key(0)): holds(now, "alive")})
	f.push(t, donorRef("silent"), map[string]string{annex.LocationLogPath(f.key(1)): holds(t0, "silent")})
	f.push(t, donorRef("stranger"), map[string]string{annex.LocationLogPath(f.key(1)): holds(now, "stranger")})
	donors := []store.Donor{
		{UUID: "alive", RegisteredAt: t0, LastSeen: now.Add(-time.Hour), Shards: []string{"shard-0001"}},
		{UUID: "silent", RegisteredAt: t0, LastSeen: now.Add(-121 * 24 * time.Hour), Shards: []string{"shard-0001"}},
	}
	tr := NewTracker(f.data, at(now))
	if err := tr.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := tr.Report(donors)
	s := r.Shards[0]
	if fmt.Sprint(s.Copies) != "[1 1]" || s.DonorsActive != 1 || s.DonorsExpired != 1 || r.Total.DonorsExpired != 1 || r.ExpiryDays != 120 {
		t.Errorf("with a silent donor: copies %v, active %d, expired %d", s.Copies, s.DonorsActive, s.DonorsExpired)
	}
	donors[1].LastSeen = now.Add(-time.Minute) // it pushed again
	if s := tr.Report(donors).Shards[0]; fmt.Sprint(s.Copies) != "[0 2]" || s.DonorsExpired != 0 {
		t.Errorf("after the check-in: copies %v, expired %d", s.Copies, s.DonorsExpired)
	}
	long := NewTracker(f.data, Options{Now: func() time.Time { return now }, Expiry: 365 * 24 * time.Hour})
	long.Refresh(context.Background())
	donors[1].LastSeen = now.Add(-121 * 24 * time.Hour)
	if s := long.Report(donors).Shards[0]; fmt.Sprint(s.Copies) != "[0 2]" {
		t.Errorf("with a one-year expiry: copies %v", s.Copies)
	}
}

// TestVerificationAndBuckets: a copy's verification time is its present
// line's timestamp.
func TestVerificationAndBuckets(t *testing.T) {
	f := newFixture(t, 5)
	now := t0.Add(100 * 24 * time.Hour)
	fresh, stale := now.Add(-24*time.Hour), now.Add(-40*24*time.Hour)
	f.push(t, donorRef("a"), map[string]string{
		annex.LocationLogPath(f.key(0)): holds(stale, "a", "b", "c", "d"), // 4 copies, all stale
		annex.LocationLogPath(f.key(1)): holds(stale, "a", "b"),           // 2 stale copies
		annex.LocationLogPath(f.key(2)): holds(fresh, "a"),                // 1 fresh copy
		annex.LocationLogPath(f.key(3)): holds(stale, "a"),
	})
	// b re-states key 1 (verified it): the newer line wins over a's merged copy of b's old one.
	f.push(t, donorRef("b"), map[string]string{annex.LocationLogPath(f.key(1)): holds(fresh, "b")})
	r, err := Compute(context.Background(), f.data, at(now), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := r.Shards[0]
	if s.Verified30d != 2 || s.Unverified30d != 2 {
		t.Errorf("verified_30d %d, unverified_30d %d; want 2 and 2", s.Verified30d, s.Unverified30d)
	}
	got, _ := json.Marshal(s.ByCopies)
	want := `[{"copies":"0","files":1,"bytes":50},{"copies":"1","files":2,"bytes":70},{"copies":"2","files":1,"bytes":20},{"copies":"3+","files":1,"bytes":10}]`
	if string(got) != want {
		t.Errorf("by_copies %s\nwant %s", got, want)
	}
	if s.LackingCopies != 3+2+2+1 {
		t.Errorf("lacking %d", s.LackingCopies)
	}
	if r := NewTracker(f.data, Options{TargetCopies: 5}).Options(); r.TargetCopies != 5 {
		t.Error("target copies not kept")
	}
}

func TestTopDonorsShowOnlyOptedInNames(t *testing.T) {
	f := newFixture(t, 3)
	f.push(t, donorRef("big"), map[string]string{
		annex.LocationLogPath(f.key(2)): holds(t0, "big", "small"),
		annex.LocationLogPath(f.key(1)): holds(t0, "big"),
	})
	donors := []store.Donor{
		{UUID: "big", Name: "Big Hoarder", ShowOnBoard: false, RegisteredAt: t0},
		{UUID: "small", Name: "Small Saver", ShowOnBoard: true, RegisteredAt: t0},
	}
	r, err := Compute(context.Background(), f.data, at(t0), donors)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(r.TopDonors)
	if want := `[{"name":"anonymous","files":2,"bytes":50},{"name":"Small Saver","files":1,"bytes":30}]`; string(got) != want {
		t.Errorf("board %s, want %s", got, want)
	}
	if b, _ := json.Marshal(r); bytes.Contains(b, []byte("Big Hoarder")) || bytes.Contains(b, []byte(`"big"`)) {
		t.Error("the report names a donor that did not opt in")
	}
}

// TestIncrementalRefresh: after a push, only the logs it changed are read;
// a rebuilt hub branch is read again whole.
func TestIncrementalRefresh(t *testing.T) {
	f := newFixture(t, 50)
	tr := NewTracker(f.data, at(t0))
	ctx := context.Background()
	f.push(t, donorRef("a"), map[string]string{annex.LocationLogPath(f.key(0)): holds(t0, "a")})
	if err := tr.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	v := tr.shards["shard-0001"]
	cold := v.blobs // distinct blobs: the 50 web-only logs are one
	if cold < 2 {
		t.Fatalf("cold read %d logs", cold)
	}
	f.push(t, donorRef("a"), map[string]string{
		annex.LocationLogPath(f.key(1)): holds(t0, "a"),
		annex.LocationLogPath(f.key(2)): holds(t0.Add(time.Second), "a"),
	})
	if err := tr.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if n := v.blobs - cold; n != 2 {
		t.Errorf("the refresh after a push read %d logs, want the 2 it changed", n)
	}
	if c := tr.Report(nil).Shards[0].Copies; fmt.Sprint(c) != "[47 3]" {
		t.Errorf("copies %v", c)
	}
	before := v.blobs
	tr.Refresh(ctx)
	if v.blobs != before {
		t.Errorf("a refresh with nothing new read %d logs", v.blobs-before)
	}

	// The archive rebuilds: a new commit on its branch drops nothing here,
	// but the whole branch is read again.
	f.push(t, annex.BranchRef, map[string]string{"trust.log": "a 0 timestamp=1700000200s\n"})
	if err := tr.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if v.blobs == before {
		t.Error("a moved hub branch was not read again")
	}
	if c := tr.Report(nil).Shards[0].Copies; fmt.Sprint(c) != "[50]" {
		t.Errorf("an untrusted donor still counts: copies %v", c)
	}
}

func TestAtRiskListAndCSV(t *testing.T) {
	f := newFixture(t, 4)
	f.push(t, donorRef("a"), map[string]string{
		annex.LocationLogPath(f.key(0)): holds(t0, "a", "b", "c"),
		annex.LocationLogPath(f.key(1)): holds(t0, "a"),
		annex.LocationLogPath(f.key(3)): holds(t0, "a", "b"),
	})
	tr := NewTracker(f.data, at(t0))
	if err := tr.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	files, err := tr.AtRisk(context.Background(), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, x := range files {
		rows = append(rows, x.Path+" "+strconv.Itoa(x.Copies))
	}
	if got := strings.Join(rows, ", "); got != "dir/f2.bin 0, dir/f1.bin 1, dir/f3.bin 2" {
		t.Errorf("at risk: %s", got)
	}
	if top, _ := tr.AtRisk(context.Background(), nil, 1); len(top) != 1 || top[0].Key != f.key(2) || top[0].Size != 30 {
		t.Errorf("limited list %+v", top)
	}
	var b bytes.Buffer
	WriteAtRiskCSV(&b, files[:1])
	if want := "shard,path,key,size,copies\nshard-0001,dir/f2.bin," + string(f.key(2)) + ",30,0\n"; b.String() != want {
		t.Errorf("csv %q, want %q", b.String(), want)
	}
}
