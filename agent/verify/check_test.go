package verify

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
)

// put writes data as k's object at the slash path p under dir.
func put(t *testing.T, dir, p string, data []byte) {
	t.Helper()
	full := filepath.Join(dir, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCheckReadsEitherLayout: an object under hashdirlower (a repository
// on a filesystem without symlinks) is found and checked like one under
// hashdirmixed, which wins when both exist; SHA256E and MD5 keys; a wrong
// size, a wrong checksum, no object, and a backend the agent does not
// hash are told apart.
func TestCheckReadsEitherLayout(t *testing.T) {
	data := []byte("the archive's bytes\n")
	sha, sum := sha256.Sum256(data), md5.Sum(data)
	shaKey := annex.Key(fmt.Sprintf("SHA256E-s%d--%s.txt", len(data), hex.EncodeToString(sha[:])))
	md5Key := annex.Key(fmt.Sprintf("MD5-s%d--%s", len(data), hex.EncodeToString(sum[:])))
	short := annex.Key(fmt.Sprintf("MD5-s%d--%s", len(data)-1, hex.EncodeToString(sum[:])))
	dir := t.TempDir()
	put(t, dir, lowerObjectPath(shaKey), data)
	put(t, dir, lowerObjectPath(md5Key), data)
	put(t, dir, lowerObjectPath(short), data)
	r := &reader{soft: context.Background(), hard: context.Background(), lim: NewLimiter(0, time.Now), buf: make([]byte, maxChunk)}
	for _, c := range []struct {
		k    annex.Key
		want verdict
	}{
		{shaKey, good}, {md5Key, good}, {short, bad},
		{annex.Key("SHA256E-s3--" + hex.EncodeToString(sha[:])), missing},
		{annex.Key("WORM-s20-m1--name"), unchecked},
	} {
		if got, err := r.check(dir, c.k); err != nil || got != c.want {
			t.Errorf("%s: %v (%v), want %v", c.k, got, err, c.want)
		}
	}
	flipped := append([]byte{}, data...)
	flipped[0] ^= 1
	put(t, dir, annex.ObjectPath(shaKey), flipped)
	if got, _ := r.check(dir, shaKey); got != bad {
		t.Errorf("a corrupted object under hashdirmixed: %v, want bad", got)
	}
	if !objectThere(dir, md5Key) || objectThere(dir, "MD5-s1--00") {
		t.Error("objectThere")
	}
}
