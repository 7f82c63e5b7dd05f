package restore

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shardkeeper/shardkeeper/annex"
)

func sha(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
func md5hex(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestReceiveChecksAndNeverWritesPastTheSize(t *testing.T) {
	a := Area{Root: filepath.Join(t.TempDir(), "restore")}
	k := annex.NewKey(annex.BackendSHA256E, 5, sha("hello"), "x.txt")
	for body, want := range map[string]error{"hello!": ErrTooLarge, "hell": ErrTruncated, "HELLO": ErrMismatch} {
		if _, err := a.Receive("shard-0001", k, strings.NewReader(body)); !errors.Is(err, want) {
			t.Errorf("%q: %v, want %v", body, err, want)
		}
	}
	tmp, _ := os.ReadDir(filepath.Join(a.Root, "shard-0001", "tmp"))
	if len(tmp) != 0 {
		t.Errorf("refused uploads left %d files", len(tmp))
	}
	got, err := a.Receive("shard-0001", k, strings.NewReader("hello"))
	if err != nil || got.SHA256 != sha("hello") || got.Bytes != 5 {
		t.Fatalf("good bytes: %+v %v", got, err)
	}
	if err := a.Keep("shard-0001", k, got); err != nil || !a.Has("shard-0001", k) {
		t.Fatalf("keep: %v", err)
	}
	if !strings.HasPrefix(a.Object("shard-0001", k), a.Root+"/shard-0001/annex/objects/") {
		t.Errorf("object at %s", a.Object("shard-0001", k))
	}

	m := annex.NewKey(annex.BackendMD5E, 5, md5hex("hello"), "x.txt")
	if _, err := a.Receive("shard-0001", m, strings.NewReader("hello")); err != nil {
		t.Errorf("MD5 key: %v", err)
	}
}

func TestCheckNameRefusesWhatCouldLeaveTheArea(t *testing.T) {
	good := annex.NewKey(annex.BackendSHA256E, 5, sha("hello"), "x.txt")
	if err := CheckName("shard-0001", good); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		shard string
		key   annex.Key
	}{
		{"..", good}, {"a/b", good}, {"", good}, {".hidden", good},
		{"shard-0001", ".."}, {"shard-0001", "SHA256E-s5--../../x"}, {"shard-0001", "SHA256E-s5--a\\b"},
		{"shard-0001", "SHA256E--abc"}, {"shard-0001", "WORM-s5--abc"},
	} {
		if err := CheckName(c.shard, c.key); err == nil {
			t.Errorf("%q %q accepted", c.shard, c.key)
		}
	}
}

func TestWithLineSetsOneUUIDsLine(t *testing.T) {
	old := []byte("1700000000s 1 " + annex.WebUUID + "\n1700000001s 1 d1\n")
	now := annex.Timestamp{Sec: 1700000100}
	out, changed := withLine(old, annex.WebUUID, annex.StatusMissing, now)
	want := "1700000100s 0 " + annex.WebUUID + "\n1700000001s 1 d1\n"
	if !changed || string(out) != want {
		t.Errorf("got %q, want %q", out, want)
	}
	if _, changed := withLine(out, annex.WebUUID, annex.StatusMissing, now); changed {
		t.Error("setting the same status again changed the log")
	}
	// A clock behind the newest line still wins the merge.
	out, _ = withLine(out, annex.WebUUID, annex.StatusPresent, annex.Timestamp{Sec: 5})
	if !strings.HasPrefix(string(out), "1700000101s 1 "+annex.WebUUID) {
		t.Errorf("got %q", out)
	}
	out, _ = withLine(nil, "R", annex.StatusPresent, now)
	if string(out) != "1700000100s 1 R\n" {
		t.Errorf("a new log: %q", out)
	}
}

func TestSameBytes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(s), 0o644)
		return p
	}
	a, b, c, d := write("a", "hello"), write("b", "hello"), write("c", "hellO"), write("d", "hell")
	for _, tc := range []struct {
		x, y string
		want bool
	}{{a, b, true}, {a, c, false}, {a, d, false}, {d, a, false}} {
		if got, err := SameBytes(tc.x, tc.y); err != nil || got != tc.want {
			t.Errorf("%s %s: %v %v", tc.x, tc.y, got, err)
		}
	}
}
