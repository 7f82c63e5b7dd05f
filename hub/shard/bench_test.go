package shard

import (
	"bufio"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/shardkeeper/shardkeeper/hub/manifest"
)

// writeBenchManifest writes an n-row CSV manifest of a thousand-dir
// collection: half the rows with a SHA-256, half MD5-only.
func writeBenchManifest(tb testing.TB, n int) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "manifest.csv")
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("path,size,sha256,md5,url\n")
	var seed [8]byte
	for i := 0; i < n; i++ {
		binary.LittleEndian.PutUint64(seed[:], uint64(i))
		s, m := sha256.Sum256(seed[:]), md5.Sum(seed[:])
		sha := hex.EncodeToString(s[:])
		if i%2 == 1 {
			sha = ""
		}
		path := fmt.Sprintf("repository/%d/%d.cbz", i/1000*1000, i)
		fmt.Fprintf(w, "%s,%d,%s,%s,https://archive.example/%s\n", path, 1000+i, sha, hex.EncodeToString(m[:]), path)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	f.Close()
	return p
}

// BenchmarkBuild100k: a 100k-row manifest read and written as one shard
// (git-annex's own fromkey + registerurl take minutes for this). With
// -short (make bench-smoke) the manifest has 2,000 rows.
func BenchmarkBuild100k(b *testing.B) {
	n := 100000
	if testing.Short() {
		n = 2000
	}
	m := writeBenchManifest(b, n)
	ctx := context.Background()
	for b.Loop() {
		data := b.TempDir()
		src := func(add func(manifest.Entry) error) error {
			_, err := manifest.Scan(m, manifest.Options{}, add)
			return err
		}
		rep, err := BuildFrom(ctx, src, Options{DataDir: data})
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Shards) != 1 || rep.Paths != n {
			b.Fatalf("built %d shards, %d paths", len(rep.Shards), rep.Paths)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "files/s")
}
