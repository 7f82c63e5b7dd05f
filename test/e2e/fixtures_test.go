package e2e

import (
	"fmt"
	"math/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// makeCollection writes n files of varied sizes (1-40 KB) in item folders,
// deterministic for a seed, and returns the total size.
func makeCollection(t *testing.T, dir string, n int, seed int64) int64 {
	t.Helper()
	return makeCollectionSized(t, dir, n, seed, func(rng *rand.Rand) int { return 1024 + rng.Intn(40*1024) })
}

// makeCollectionSized is makeCollection with the sizes sizeOf draws.
func makeCollectionSized(t *testing.T, dir string, n int, seed int64, sizeOf func(*rand.Rand) int) int64 {
	t.Helper()
	rng := rand.New(rand.NewSource(seed))
	var total int64
	for i := 0; i < n; i++ {
		size := sizeOf(rng)
		data := make([]byte, size)
		rng.Read(data)
		p := filepath.Join(dir, fmt.Sprintf("item-%02d", i/10), fmt.Sprintf("file %03d.bin", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		total += int64(size)
	}
	return total
}

// serveOrigin serves dir as the archive's HTTP origin on loopback.
func serveOrigin(t *testing.T, dir string) string {
	t.Helper()
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	return srv.URL
}

// startHub runs `shardhub serve` on a free loopback port until the test
// ends; extra are more serve flags (e.g. --target-copies 2).
func startHub(t *testing.T, data string, extra ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(shardhubBin, append([]string{"serve", "--data", data, "--listen", addr}, extra...)...)
	logf, _ := os.Create(filepath.Join(t.TempDir(), "hub.log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("hub log:\n%s", b)
		}
	})
	url := "http://" + addr
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(url + "/api/v1/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url
			}
		}
	}
	t.Fatalf("hub did not start on %s", addr)
	return ""
}

// oneLineError checks that a failure was reported as a single plain line,
// never a stack trace or a usage dump.
func oneLineError(t *testing.T, what string, r result, wants ...string) {
	t.Helper()
	if r.Code == 0 {
		t.Errorf("%s: exit 0, want a failure", what)
		return
	}
	msg := strings.TrimSpace(r.Stderr)
	if strings.Count(msg, "\n") > 0 || msg == "" {
		t.Errorf("%s: want one line on stderr, got:\n%s", what, r.Stderr)
	}
	for _, bad := range []string{"goroutine ", "panic:", "Usage:"} {
		if strings.Contains(r.Stderr, bad) {
			t.Errorf("%s: stderr has %q:\n%s", what, bad, r.Stderr)
		}
	}
	for _, w := range wants {
		if !strings.Contains(msg, w) {
			t.Errorf("%s: error %q does not mention %q", what, msg, w)
		}
	}
}
