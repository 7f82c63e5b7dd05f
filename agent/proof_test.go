package agent

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/hubclient"
	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/server"
	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

// challengingHub swaps the world's hub for one that challenges every
// donor at every round (the default is once a day).
func challengingHub(t *testing.T, w *world) *server.Server {
	t.Helper()
	srv, err := server.New(server.Config{DataDir: w.hub.data, AuditHook: testkit.SelfHook(t), ChallengeEvery: time.Nanosecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	w.hub.stop()
	w.hub.srv = srv
	w.hub.start()
	return srv
}

// proofStanding is what the hub tells a donor about its proofs.
func proofStanding(t *testing.T, w *world, a *Agent) map[string]any {
	t.Helper()
	resp := donorRecord(t, w, a)
	defer resp.Body.Close()
	var rec struct {
		Proof map[string]any `json:"proof"`
	}
	json.NewDecoder(resp.Body).Decode(&rec)
	return rec.Proof
}

func hasEvent(e *events, kind, text string) bool {
	for _, ev := range e.of(kind) {
		if strings.Contains(ev.Message, text) {
			return true
		}
	}
	return false
}

// TestProofOfStorage: the agent answers the hub's challenge from its own
// object file: a donor holding the file passes, one that deleted it fails
// (saying so), one whose copy is corrupted fails; the hub checks with a
// range request to the origin. An older hub without challenges is skipped
// silently.
func TestProofOfStorage(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1, func(int) int { return 200 << 10 })
	srv := challengingHub(t, w)
	ctx := context.Background()
	alice := newAgent(t, w.join("alice", w.total()*4), Options{})
	bob := newAgent(t, w.join("bob", w.total()*4), Options{})
	for _, a := range []*Agent{alice, bob} {
		if err := a.Cycle(ctx); err != nil {
			t.Fatal(err)
		}
		if err := a.pushAll(ctx); err != nil {
			t.Fatal(err)
		}
	}
	evA, evB := collectEvents(t, alice), collectEvents(t, bob)
	object := func(a *Agent) string {
		repo := a.cfg.Shards[0].Path
		obj := filepath.Join(repo, filepath.FromSlash(annex.ObjectPath(keyOfPath(t, repo, "item-00/file-000.bin"))))
		os.Chmod(filepath.Dir(obj), 0o755)
		os.Chmod(obj, 0o644)
		return obj
	}
	if err := srv.ChallengeRound(ctx); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(object(bob)); err != nil {
		t.Fatal(err)
	}
	ranges := len(w.origin.ranges)
	for _, a := range []*Agent{alice, bob} {
		if err := a.Cycle(ctx); err != nil { // answering is part of every cycle
			t.Fatal(err)
		}
	}
	waitFor(t, 5*time.Second, "alice's pass", func() bool { return hasEvent(evA, control.EventVerify, "Proved to the hub") })
	waitFor(t, 5*time.Second, "bob's honest failure", func() bool { return hasEvent(evB, control.EventVerify, "not stored here") })
	w.origin.set(func(o *origin) {
		if len(o.ranges) == ranges {
			t.Error("the hub checked alice's answer without a range request to the origin")
		}
	})
	if p := proofStanding(t, w, alice); p["failures_in_a_row"] != 0.0 || p["last_passed"] == nil {
		t.Errorf("alice's standing %v", p)
	}
	if p := proofStanding(t, w, bob); p["failures_in_a_row"] != 1.0 {
		t.Errorf("bob's standing %v", p)
	}

	// Alice's copy goes bad (same size, other bytes): she fails.
	if err := srv.ChallengeRound(ctx); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(object(alice), make([]byte, 200<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	alice.answerChallenges(ctx)
	waitFor(t, 5*time.Second, "alice's failure", func() bool { return hasEvent(evA, control.EventError, "proof-of-storage check of this file failed") })
	if p := proofStanding(t, w, alice); p["failures_in_a_row"] != 1.0 {
		t.Errorf("alice's standing after corruption %v", p)
	}

	// An older hub answers 404: nothing to do, nothing reported.
	old := httptest.NewServer(http.NotFoundHandler())
	defer old.Close()
	errorsBefore := len(evB.of(control.EventError))
	bob.hub, _ = hubclient.New(old.URL)
	bob.answerChallenges(ctx)
	if len(evB.of(control.EventError)) != errorsBefore {
		t.Error("an older hub produced an error event")
	}
}
