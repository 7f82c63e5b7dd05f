package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

// served is shardhub serve running on a one-file data directory whose
// origin is not real.
type served struct {
	data, base string
	logs       *testkit.SyncBuffer
	stop       func() int // cancels serve and returns its exit code
}

func startServe(t *testing.T, flags ...string) served {
	t.Helper()
	return startServeFiles(t, map[string]string{"a.txt": "alpha"}, flags...)
}

// startServeFiles is startServe over a collection of the given files.
func startServeFiles(t *testing.T, files map[string]string, flags ...string) served {
	t.Helper()
	testkit.RequireGitAnnex(t)
	collection := testkit.WriteFiles(t, files)
	s := served{data: filepath.Join(t.TempDir(), "data"), logs: &testkit.SyncBuffer{}}
	if _, errOut, code := run(t, "build", "--from-dir", collection, "--base-url", "http://127.0.0.1:1/origin", "--out", s.data); code != 0 {
		t.Fatal(errOut)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, append([]string{"serve", "--data", s.data, "--listen", "127.0.0.1:0"}, flags...), io.Discard, s.logs)
	}()
	s.stop = func() int { cancel(); return <-done }
	t.Cleanup(func() { cancel() })
	for deadline := time.Now().Add(10 * time.Second); s.base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)`).FindStringSubmatch(s.logs.String()); m != nil {
			s.base = m[1]
		}
	}
	if s.base == "" {
		t.Fatalf("no listening URL logged:\n%s", s.logs)
	}
	return s
}

// registration is what serve answers a new donor.
type registration struct {
	UUID, Token  string
	TargetCopies int `json:"target_copies"`
	Shard        struct{ URL string }
}

func (s served) register(t *testing.T) registration {
	t.Helper()
	resp, err := http.Post(s.base+"/api/v1/donors", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var reg registration
	json.NewDecoder(resp.Body).Decode(&reg)
	return reg
}

// TestChallengeCommand issues a challenge beside a running serve, which
// serves it to the donor at once.
func TestChallengeCommand(t *testing.T) {
	s := startServe(t, "--challenge-every", "30d")
	data, reg := s.data, s.register(t)
	if _, errOut, code := run(t, "challenge", "--data", data, reg.UUID); code != 1 || !strings.Contains(errOut, "nothing to challenge") {
		t.Errorf("a donor holding nothing: %d %q", code, errOut)
	}
	// The donor says it holds a.txt (the origin here is not real).
	env := testkit.HandEnv(t)
	work := testkit.HandDonor(t, env, reg.Shard.URL, reg.UUID, "donor")
	key := strings.TrimSpace(testkit.Run(t, env, work, "git", "annex", "lookupkey", "a.txt"))
	testkit.Run(t, env, work, "git", "annex", "setpresentkey", key, reg.UUID, "1")
	testkit.Run(t, env, work, "git", "annex", "merge", "-q")
	testkit.Run(t, env, work, testkit.HandPushArgs(reg.Token, reg.UUID)...)

	out, errOut, code := run(t, "challenge", "--data", data, reg.UUID)
	if code != 0 || !strings.Contains(out, key) {
		t.Fatalf("challenge: %d %q %q", code, out, errOut)
	}
	if _, errOut, code := run(t, "challenge", "--data", data, reg.UUID); code != 1 || !strings.Contains(errOut, "already has an open challenge") {
		t.Errorf("a second challenge: %d %q", code, errOut)
	}
	if _, errOut, code := run(t, "challenge", "--data", data, "no-such-donor"); code != 1 || !strings.Contains(errOut, "no donor no-such-donor") {
		t.Errorf("an unknown donor: %d %q", code, errOut)
	}
	req, _ := http.NewRequest(http.MethodGet, s.base+"/api/v1/donors/"+reg.UUID+"/challenges", nil)
	req.Header.Set("Authorization", "Bearer "+reg.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var open []struct{ Key string }
	json.NewDecoder(resp.Body).Decode(&open)
	resp.Body.Close()
	if len(open) != 1 || open[0].Key != key {
		t.Errorf("serve does not serve the challenge: %+v", open)
	}
	if code := s.stop(); code != 0 {
		t.Errorf("serve exited %d:\n%s", code, s.logs)
	}
}
