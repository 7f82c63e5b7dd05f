package audit

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
)

const (
	me    = "11111111-1111-4111-8111-111111111111"
	other = "22222222-2222-4222-8222-222222222222"
)

var (
	now      = time.Unix(1800000000, 0)
	shardKey = annex.NewKey(annex.BackendSHA256E, 5, strings.Repeat("a", 64), "x.bin")
	alien    = annex.NewKey(annex.BackendSHA256E, 5, strings.Repeat("b", 64), "x.bin")
	web      = "1700000000s 1 " + annex.WebUUID + "\n"
)

func ts(d time.Duration) string { return annex.TimestampOf(now.Add(d)).String() }

func TestRules(t *testing.T) {
	loc := annex.LocationLogPath(shardKey)
	theirs := ts(-time.Hour) + " 1 " + other + "\n"
	for _, tc := range []struct {
		name string
		f    File
		want string // "" when the change may land
	}{
		{"own present line", File{Path: loc, Base: []byte(web), New: []byte(web + ts(0) + " 1 " + me + "\n")}, ""},
		{"own line re-stated", File{Path: loc, Base: []byte(web + ts(-time.Hour) + " 1 " + me + "\n"), New: []byte(web + ts(0) + " 1 " + me + "\n")}, ""},
		{"own drop", File{Path: loc, Base: []byte(web + ts(-time.Hour) + " 1 " + me + "\n"), New: []byte(web + ts(0) + " 0 " + me + "\n")}, ""},
		{"another donor's known line merged", File{Path: loc, Base: []byte(web), New: []byte(web + theirs + ts(0) + " 1 " + me + "\n"), Known: [][]byte{[]byte(web + theirs)}}, ""},
		{"another donor's line compacted to its newer known one", File{Path: loc, Base: []byte(web + theirs), New: []byte(web + ts(0) + " 0 " + other + "\n"), Known: [][]byte{[]byte(web + ts(0) + " 0 " + other + "\n")}}, ""},
		{"timestamp normalised", File{Path: loc, Base: []byte(web), New: []byte("1700000000.000s 1 " + annex.WebUUID + "\n")}, ""},
		{"line for another uuid", File{Path: loc, Base: []byte(web), New: []byte(web + theirs)}, "adds a line for another repository (" + other + ")"},
		{"an older line of another donor than a known one (a union merge after compaction)", File{Path: loc, Base: []byte(web + ts(0) + " 1 " + other + "\n"), New: []byte(web + theirs + ts(0) + " 1 " + other + "\n" + ts(0) + " 1 " + me + "\n")}, ""},
		{"a newer line for another uuid than the known one", File{Path: loc, Base: []byte(web + theirs), New: []byte(web + ts(0) + " 1 " + other + "\n")}, "adds a line for another repository (" + other + ")"},
		{"the hub's transition marker", File{Path: "transitions.log", Mode: "100644", New: []byte("ForgetGitHistory 1700000000.5s\n"), Hub: []byte("ForgetGitHistory 1700000000.5s\n")}, ""},
		{"a transition of the donor's making", File{Path: "transitions.log", Mode: "100644", New: []byte("ForgetGitHistory 1700000001s\n")}, "only the archive may change this file"},
		{"a web line claimed", File{Path: loc, Base: []byte(web), New: []byte(web + ts(0) + " 1 " + annex.WebUUID + "\n")}, "another repository"},
		{"another's line changed", File{Path: loc, Base: []byte(web + theirs), New: []byte(web + ts(0) + " 0 " + other + "\n"), Known: [][]byte{[]byte(web + theirs)}}, "another repository"},
		{"another's line removed", File{Path: loc, Base: []byte(web + theirs), New: []byte(web), Known: [][]byte{[]byte(web + theirs)}}, "removes or rewinds the line of another repository (" + other + ")"},
		{"web line removed", File{Path: loc, Base: []byte(web), New: []byte(ts(0) + " 1 " + me + "\n")}, "removes or rewinds"},
		{"log deleted", File{Path: loc, Mode: "000000", Base: []byte(web)}, "removes or rewinds"},
		{"far future", File{Path: loc, Base: []byte(web), New: []byte(web + ts(25*time.Hour) + " 1 " + me + "\n")}, "more than a day in the future"},
		{"near future", File{Path: loc, Base: []byte(web), New: []byte(web + ts(23*time.Hour) + " 1 " + me + "\n")}, ""},
		{"key not in the shard", File{Path: annex.LocationLogPath(alien), New: []byte(ts(0) + " 1 " + me + "\n")}, "not in this shard"},
		{"dropping a key that left the shard", File{Path: annex.LocationLogPath(alien), Base: []byte(ts(-time.Hour) + " 1 " + me + "\n"), New: []byte(ts(0) + " 0 " + me + "\n")}, ""},
		{"malformed line", File{Path: loc, Base: []byte(web), New: []byte(web + "garbage\n")}, "malformed"},
		{"bad status", File{Path: loc, Base: []byte(web), New: []byte(web + ts(0) + " 7 " + me + "\n")}, "malformed"},
		{"own description", File{Path: "uuid.log", New: []byte(me + " my laptop timestamp=" + ts(0) + "\n")}, ""},
		{"another's description", File{Path: "uuid.log", New: []byte(other + " evil timestamp=" + ts(0) + "\n")}, "another repository"},
		{"own fsck", File{Path: "activity.log", New: []byte(me + " Fsck timestamp=" + ts(0) + "\n")}, ""},
		{"trust.log", File{Path: "trust.log", New: []byte(me + " 1 timestamp=" + ts(0) + "\n")}, "only the archive may change this file"},
		{"trust.log known", File{Path: "trust.log", Base: []byte(other + " X timestamp=1s\n"), New: []byte(other + " X timestamp=1s\n"), Known: [][]byte{[]byte(other + " X timestamp=1s\n")}}, ""},
		{"trust.log line removed", File{Path: "trust.log", Base: []byte(other + " X timestamp=1s\n"), New: []byte("")}, "only the archive"},
		{"numcopies.log", File{Path: "numcopies.log", New: []byte(ts(0) + " 1\n")}, "only the archive"},
		{"url log", File{Path: annex.URLLogPath(shardKey), Base: []byte(ts(-time.Hour) + " 1 http://a/x\n"), New: []byte(ts(-time.Hour) + " 1 http://a/x\n" + ts(0) + " 1 http://evil/x\n")}, "only the archive"},
		{"metadata log", File{Path: strings.TrimSuffix(annex.URLLogPath(shardKey), ".web") + ".met", New: []byte("x")}, "only the archive"},
		{"not a log", File{Path: "README", New: []byte("hi\n")}, "not a git-annex log"},
		{"log at the wrong place", File{Path: "aaa/bbb/" + annex.EscapeKeyFile(shardKey) + ".log", New: []byte(ts(0) + " 1 " + me + "\n")}, "not a git-annex log"},
		{"symlink", File{Path: loc, Mode: "120000", New: []byte("x")}, "plain file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			if f.Mode == "" {
				f.Mode = "100644"
			}
			if classify(f.Path) == locationLog && f.Hub == nil && strings.Contains(f.Path, annex.EscapeKeyFile(shardKey)) {
				f.Hub = []byte(web)
			}
			problems := CheckFiles(me, now, []File{f})
			got := strings.Join(problems, "\n")
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("problems %q, want %q", got, tc.want)
			}
		})
	}
}

// FuzzAudit feeds random changes of git-annex branch files through the
// rules and checks the invariant the audit exists for: when a change is
// accepted, every line it adds is the donor's own line in a file where
// donors may write, and no other repository's line went away or back in
// time.
func FuzzAudit(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, "")
	f.Add([]byte{1, 0, 0, 3, 9, 200, 17, 4, 4, 4, 4, 1}, "garbage")
	f.Add([]byte{2, 2, 2, 1, 1, 1, 0, 0, 0}, other+" evil timestamp=1s")
	f.Add([]byte{3, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, "1s 1 "+other)
	f.Add([]byte{7, 1, 2, 250, 251, 252, 253, 254, 255}, "1700000000s 1 "+me)
	f.Add([]byte{4, 9, 9, 9, 9, 9}, me+" 1 timestamp=1s")
	f.Fuzz(func(t *testing.T, data []byte, raw string) {
		r := &choices{data: data}
		file := r.file()
		if raw != "" {
			file.New = append(append([]byte{}, file.New...), []byte(raw+"\n")...)
		}
		if len(CheckFiles(me, now, []File{file})) > 0 {
			return
		}
		k := classify(file.Path)
		known := map[string]bool{}
		for _, d := range append(file.Known, file.Base, file.Hub) {
			for _, l := range parseLines(k, d) {
				known[l.norm] = true
			}
		}
		newest := map[string]annex.Timestamp{}
		kept := map[string]bool{}
		for _, l := range parseLines(k, file.New) {
			kept[l.norm] = true
			if !known[l.norm] && (k == hubOnly || k == notALog || !l.ok || l.owner != me) {
				t.Fatalf("accepted a line that is not the donor's own in %s: %q", file.Path, l.norm)
			}
			if cur, ok := newest[l.owner]; l.ok && (!ok || cur.Before(l.at)) {
				newest[l.owner] = l.at
			}
		}
		for _, l := range parseLines(k, file.Base) {
			if l.owner == me || kept[l.norm] {
				continue
			}
			if cur, ok := newest[l.owner]; !ok || cur.Before(l.at) {
				t.Fatalf("accepted the loss of %q from %s", l.norm, file.Path)
			}
		}
	})
}

// choices turns fuzz bytes into a branch file and its surroundings.
type choices struct {
	data []byte
	i    int
}

func (c *choices) next(n int) int {
	if c.i >= len(c.data) {
		return 0
	}
	b := c.data[c.i]
	c.i++
	return int(b) % n
}

func (c *choices) file() File {
	paths := []string{annex.LocationLogPath(shardKey), annex.LocationLogPath(alien), "uuid.log", "activity.log",
		"trust.log", "numcopies.log", annex.URLLogPath(shardKey), "other.txt"}
	f := File{Path: paths[c.next(len(paths))], Mode: []string{"100644", "100644", "100644", "120000"}[c.next(4)]}
	if strings.Contains(f.Path, annex.EscapeKeyFile(shardKey)) {
		f.Hub = []byte(web)
	}
	k := classify(f.Path)
	var known []string
	for range c.next(5) {
		known = append(known, c.line(k))
	}
	f.Known = [][]byte{[]byte(strings.Join(known, ""))}
	var base, next []string
	for _, l := range known {
		if c.next(2) == 1 {
			base = append(base, l)
		}
	}
	for _, l := range append(base, known...) {
		if c.next(3) > 0 {
			next = append(next, l)
		}
	}
	for range c.next(4) {
		next = append(next, c.line(k))
	}
	f.Base = []byte(strings.Join(base, ""))
	if c.next(8) == 0 {
		f.Mode = "000000"
		return f
	}
	f.New = []byte(strings.Join(next, ""))
	return f
}

func (c *choices) line(k kind) string {
	owner := []string{me, other, annex.WebUUID, "33333333-3333-4333-8333-333333333333"}[c.next(4)]
	at := annex.TimestampOf(now.Add(time.Duration(c.next(64)-32) * time.Hour)).String()
	status := "10X2"[c.next(4)]
	switch k {
	case locationLog:
		return fmt.Sprintf("%s %c %s\n", at, status, owner)
	case notALog:
		return "text\n"
	default:
		return fmt.Sprintf("%s %c timestamp=%s\n", owner, status, at)
	}
}
