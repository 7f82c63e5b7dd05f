package server

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/hub/health"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// hostsHub is a hub serving as host "a" of several, with host "b" in the
// shared database (b runs no server: its URL only has to be handed out).
func hostsHub(t *testing.T) (hub, *store.DB) {
	t.Helper()
	db, err := store.OpenFile(filepath.Join(t.TempDir(), "shared.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h := startHubWith(t, 2, func(c *Config) { c.Store, c.HostName, c.HeartbeatEvery = db, "a", time.Second })
	return h, db
}

// noFollow answers a GET without following redirects.
func noFollow(t *testing.T, url string, header ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestHostsRouteAndMark: a shard placed on host b is handed out with b's
// clone URL, fetches of it are redirected to b and later requests refused
// saying where it went; a push to a shard being moved is refused with a
// retryable answer; when b's heartbeat is stale its shard is marked
// unreachable and registration hands out only a's.
func TestHostsRouteAndMark(t *testing.T) {
	h, db := hostsHub(t)
	now := time.Now()
	if err := db.Heartbeat("b", "http://b.example", now); err != nil {
		t.Fatal(err)
	}
	moveTo(t, db, "shard-0002", "b")
	alice, bob := h.register(t, "alice"), h.register(t, "bob")
	if bob.Shard.Name != "shard-0002" || bob.Shard.URL != "http://b.example/git/shard-0002.git" || alice.Shard.URL != h.url+"/git/shard-0001.git" {
		t.Fatalf("registrations: %+v %+v", alice.Shard, bob.Shard)
	}
	resp := noFollow(t, h.url+"/git/shard-0002.git/info/refs?service=git-upload-pack")
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusTemporaryRedirect || loc != "http://b.example/git/shard-0002.git/info/refs?service=git-upload-pack" {
		t.Errorf("fetch of a shard on b: %s %q", resp.Status, loc)
	}
	post, err := http.Post(h.url+"/git/shard-0002.git/git-upload-pack", "application/x-git-upload-pack-request", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	post.Body.Close()
	if post.StatusCode != http.StatusGone {
		t.Errorf("upload-pack POST of a shard on b: %s", post.Status)
	}
	if err := db.RequestMove("shard-0001", "b", now); err != nil {
		t.Fatal(err)
	}
	resp = noFollow(t, h.url+"/git/shard-0001.git/info/refs?service=git-receive-pack", "Authorization", "Bearer "+alice.Token)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("push to a shard being moved: %s %v", resp.Status, resp.Header)
	}
	if err := db.FailMove("shard-0001", "test", now); err != nil {
		t.Fatal(err)
	}
	// b falls silent: its shard is unreachable and not handed out.
	if err := db.Heartbeat("b", "http://b.example", now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	checkUnreachable(t, h)
	if carol := h.register(t, "carol"); carol.Shard.Name != "shard-0001" {
		t.Errorf("registration while b is away gave %s", carol.Shard.Name)
	}
}

// moveTo moves a shard's placement by hand, as a finished move leaves it.
func moveTo(t *testing.T, db *store.DB, name, host string) {
	t.Helper()
	now := time.Now()
	p, err := db.Placement(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RequestMove(name, host, now); err != nil {
		t.Fatal(err)
	}
	if ok, err := db.Freeze(name, p.Host, now); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if err := db.FinishMove(name, host, now); err != nil {
		t.Fatal(err)
	}
}

func checkUnreachable(t *testing.T, h hub) {
	t.Helper()
	var r health.Report
	if err := json.NewDecoder(h.get(t, "/api/v1/health").Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	for _, s := range r.Shards {
		want := s.Name == "shard-0001"
		if s.Reachable == nil || *s.Reachable != want {
			t.Errorf("%s (host %s): reachable %v, want %v", s.Name, s.Host, s.Reachable, want)
		}
	}
	if len(r.Hosts) != 2 || !r.Hosts[0].Reachable || r.Hosts[1].Reachable || r.Hosts[1].Shards != 1 {
		t.Errorf("hosts %+v", r.Hosts)
	}
}
