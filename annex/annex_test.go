package annex

import (
	"strings"
	"testing"
	"time"
)

func TestHashDirsMatchTestVector(t *testing.T) {
	k := Key("SHA256E-s0--e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
	if got := HashDirMixed(k); got != "pX/ZJ/" {
		t.Errorf("HashDirMixed = %q, want pX/ZJ/", got)
	}
	if got := HashDirLower(k); got != "f87/4d5/" {
		t.Errorf("HashDirLower = %q, want f87/4d5/", got)
	}
}

func TestExtension(t *testing.T) {
	for name, want := range map[string]string{
		"a.tar.gz": ".tar.gz", "b.verylongext": "", "c.JPG": ".JPG", "noext": "",
		"d.a b": "", "dir.d/x.cbz": ".cbz", "a.b.c.d": ".c.d",
	} {
		if got := Extension(name); got != want {
			t.Errorf("Extension(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestKeyFields(t *testing.T) {
	k := NewKey(BackendSHA256E, 1234, strings.Repeat("AB", 32), "x/y.bin")
	if want := "SHA256E-s1234--" + strings.Repeat("ab", 32) + ".bin"; string(k) != want {
		t.Fatalf("key = %s, want %s", k, want)
	}
	if n, ok := k.Size(); !ok || n != 1234 {
		t.Errorf("Size = %d %v", n, ok)
	}
	if k.Backend() != "SHA256E" || k.Digest() != strings.Repeat("ab", 32) || !k.Valid() {
		t.Errorf("fields wrong: %s %s %v", k.Backend(), k.Digest(), k.Valid())
	}
	if _, ok := Key("WORM--x").Size(); ok {
		t.Error("key without size reported one")
	}
}

func TestLogPathRoundTrip(t *testing.T) {
	k := Key("MD5E-s3--abc&d%e:f.x")
	p := LocationLogPath(k)
	if !strings.HasSuffix(p, "MD5E-s3--abc&ad&se&cf.x.log") {
		t.Fatalf("escaped path %s", p)
	}
	got, ok := KeyOfLogPath(p, ".log")
	if !ok || got != k {
		t.Fatalf("KeyOfLogPath(%s) = %s %v", p, got, ok)
	}
	if _, ok := KeyOfLogPath(URLLogPath(k), ".log"); ok {
		t.Error("URL log taken for a location log")
	}
	if _, ok := KeyOfLogPath("uuid.log", ".log"); ok {
		t.Error("uuid.log taken for a location log")
	}
	if _, ok := KeyOfLogPath("aaa/bbb/"+EscapeKeyFile(k)+".log", ".log"); ok {
		t.Error("log under the wrong hash directory accepted")
	}
}

func TestTimestamps(t *testing.T) {
	for _, s := range []string{"1795239857.9953103s", "1795239857s", "1.000000001s"} {
		ts, err := ParseTimestamp(s)
		if err != nil || ts.String() != s {
			t.Errorf("round trip %s -> %v %v", s, ts, err)
		}
	}
	if ts, _ := ParseTimestamp("12"); ts.Sec != 12 {
		t.Error("integer timestamp without s not accepted")
	}
	if _, err := ParseTimestamp("abc"); err == nil {
		t.Error("bad timestamp accepted")
	}
	now := time.Unix(1700000000, 500000000)
	if TimestampOf(now).String() != "1700000000.5s" {
		t.Error(TimestampOf(now).String())
	}
}

func TestCompactNewestWins(t *testing.T) {
	lines := ParseLog([]byte("10s 1 u1\n20s 0 u1\n15s 1 u2\nbroken\n5s 1 " + WebUUID + "\n"))
	if len(lines) != 4 {
		t.Fatalf("parsed %d lines", len(lines))
	}
	got := Present(lines)
	if strings.Join(got, ",") != WebUUID+",u2" {
		t.Errorf("present = %v", got)
	}
}
