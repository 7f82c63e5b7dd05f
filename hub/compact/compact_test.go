package compact

import (
	"strings"
	"testing"

	"github.com/shardkeeper/shardkeeper/annex"
)

func TestMergeFile(t *testing.T) {
	key := annex.NewKey(annex.BackendSHA256E, 5, strings.Repeat("a", 64), "x.bin")
	loc := annex.LocationLogPath(key)
	const a, b = "aaaaaaaa-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000002"
	hub := "1700000000s 1 " + annex.WebUUID + "\n1700000100s 1 " + a + "\n"
	donorA := "1700000000s 1 " + annex.WebUUID + "\n1700000200s 1 " + a + "\n1700000050s 1 " + b + "\n"
	donorB := "1700000000s 1 " + annex.WebUUID + "\n1700000060s 0 " + b + "\n"
	got := string(MergeFile(loc, []byte(hub), []byte(donorA), []byte(donorB)))
	want := "1700000000s 1 " + annex.WebUUID + "\n1700000200s 1 " + a + "\n1700000060s 0 " + b + "\n"
	if got != want {
		t.Errorf("location log merged to\n%s\nwant (newest line per repository)\n%s", got, want)
	}
	trust := string(MergeFile("trust.log", []byte(a+" 1 timestamp=1s\n"), []byte(a+" 1 timestamp=1s\n"+b+" 0 timestamp=2s\n")))
	if trust != a+" 1 timestamp=1s\n"+b+" 0 timestamp=2s\n" {
		t.Errorf("trust.log merged to\n%s", trust)
	}
}
