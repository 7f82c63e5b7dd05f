package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/hub/health"
	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), code
}

func TestBuildAndHealth(t *testing.T) {
	collection := testkit.WriteFiles(t, map[string]string{"a.txt": "alpha", "b/c.txt": "charlie", "d": "alpha"})
	data := filepath.Join(t.TempDir(), "data")
	out, errOut, code := run(t, "build", "--from-dir", collection, "--base-url", "http://127.0.0.1:1/files", "--out", data, "--files-per-shard", "2")
	if code != 0 || !strings.Contains(out, "Built 2 shards in "+data+": 3 files (3 paths), 17 B, 0 md5-only keys.") {
		t.Fatalf("build: %d\n%s%s", code, out, errOut)
	}

	out, _, code = run(t, "health", "--data", data, "--json")
	var report health.Report
	if err := json.Unmarshal([]byte(out), &report); code != 0 || err != nil || len(report.Shards) != 2 || report.Total.Copies[0] != 3 {
		t.Errorf("health --json: %d %v\n%s", code, err, out)
	}
	out, _, _ = run(t, "health", "--data", data)
	if !regexp.MustCompile(`^SHARD +FILES +SIZE +DONORS +0 COPIES +VERIFIED 30D\nshard-0001 +2 +12 B +0 +2 +0\n`).MatchString(out) {
		t.Errorf("health table:\n%s", out)
	}

	manifest := filepath.Join(t.TempDir(), "m.jsonl")
	os.WriteFile(manifest, []byte(`{"path":"x","size":1,"md5":"`+strings.Repeat("0", 32)+`","url":"http://h/x"}`+"\n"), 0o644)
	out, _, code = run(t, "build", manifest, "--out", filepath.Join(t.TempDir(), "d2"))
	if code != 0 || !strings.Contains(out, "1 md5-only keys") || !strings.Contains(out, "add sha256") {
		t.Errorf("build from manifest: %d\n%s", code, out)
	}
}

func TestErrorsAreOneLine(t *testing.T) {
	data := t.TempDir()
	bad := filepath.Join(t.TempDir(), "manifest.csv")
	os.WriteFile(bad, []byte("path,size,sha256,url\nx,,"+strings.Repeat("a", 64)+",http://h/x\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"build", bad, "--out", data}, "manifest.csv line 2: size is missing"},
		{[]string{"build", "--out", data}, "nothing to build"},
		{[]string{"build", bad, "--from-dir", data, "--out", data}, "not both"},
		{[]string{"build", "--from-dir", data, "--out", data}, "needs --base-url"},
		{[]string{"build", "--bogus"}, "unknown flag: --bogus (see 'shardhub build --help')"},
		{[]string{"health", "--data", data}, "has no shards: build them with 'shardhub build --out"},
		{[]string{"serve", "--data", data}, "has no shards"},
		{[]string{"nope"}, `unknown command "nope"`},
	} {
		out, errOut, code := run(t, tc.args...)
		if code != 1 || out != "" || !strings.HasPrefix(errOut, "shardhub: ") || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want one line with %q", tc.args, code, out, errOut, tc.want)
		}
	}
}

func TestServeUntilCancelled(t *testing.T) {
	testkit.RequireGitAnnex(t)
	collection := testkit.WriteFiles(t, map[string]string{"a.txt": "alpha"})
	data := filepath.Join(t.TempDir(), "data")
	if _, errOut, code := run(t, "build", "--from-dir", collection, "--base-url", "http://127.0.0.1:1/origin", "--out", data); code != 0 {
		t.Fatal(errOut)
	}
	ctx, cancel := context.WithCancel(context.Background())
	logs := &testkit.SyncBuffer{}
	done := make(chan int)
	go func() {
		done <- Run(ctx, []string{"serve", "--data", data, "--listen", "127.0.0.1:0", "--origin", collection}, io.Discard, logs)
	}()

	var base string
	for deadline := time.Now().Add(10 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)`).FindStringSubmatch(logs.String()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		t.Fatalf("no listening URL logged:\n%s", logs)
	}
	resp, err := http.Get(base + "/origin/a.txt")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "alpha" {
		t.Errorf("origin served %q", body)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 || !strings.Contains(logs.String(), "shutting down") {
			t.Errorf("serve exited %d:\n%s", code, logs)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestVersion(t *testing.T) {
	out, _, code := run(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "shardhub version ") {
		t.Errorf("--version: %q (exit %d)", out, code)
	}
}
