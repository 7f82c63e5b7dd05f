package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/health"
	"github.com/shardkeeper/shardkeeper/hub/manifest"
	"github.com/shardkeeper/shardkeeper/hub/shard"
	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

// hub is a running shardhub with two shards of two files each, whose
// files are served by the hub itself under /origin/.
type hub struct {
	url  string
	data string
	logs *testkit.SyncBuffer
}

func startHub(t *testing.T) hub {
	return startHubWith(t, 2, nil)
}

// startHubWith starts a hub over the four test files, filesPerShard to a
// shard; change adjusts the server's configuration.
func startHubWith(t *testing.T, filesPerShard int, change func(*Config)) hub {
	t.Helper()
	return startHubEntries(t, filesPerShard, nil, change)
}

// startHubEntries is startHubWith whose manifest entries edit may change
// (drop the SHA-256s for an MD5-only shard, say).
func startHubEntries(t *testing.T, filesPerShard int, edit func([]manifest.Entry), change func(*Config)) hub {
	t.Helper()
	files := map[string]string{"a.txt": "alpha\n", "b b.bin": "bravo", "c/d.txt": "charlie", "e.txt": "echo"}
	return startHubBuilt(t, files, func(data string, entries []manifest.Entry) error {
		if edit != nil {
			edit(entries)
		}
		_, err := shard.Build(context.Background(), entries, shard.Options{DataDir: data, FilesPerShard: filesPerShard})
		return err
	}, change)
}

// startHubBuilt starts a hub whose origin serves files, built by build
// from their manifest entries.
func startHubBuilt(t *testing.T, files map[string]string, build func(data string, entries []manifest.Entry) error, change func(*Config)) hub {
	t.Helper()
	testkit.RequireGitAnnex(t)
	collection := testkit.WriteFiles(t, files)
	ts := httptest.NewUnstartedServer(nil)
	h := hub{url: "http://" + ts.Listener.Addr().String(), data: t.TempDir(), logs: &testkit.SyncBuffer{}}
	entries, err := manifest.FromDir(collection, h.url+"/origin")
	if err != nil {
		t.Fatal(err)
	}
	if err := build(h.data, entries); err != nil {
		t.Fatal(err)
	}
	cfg := Config{DataDir: h.data, OriginDir: collection, PublicURL: h.url, AuditHook: testkit.SelfHook(t),
		Logger: slog.New(slog.NewTextHandler(h.logs, nil))}
	if change != nil {
		change(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return h
}

func (h hub) register(t *testing.T, name string) RegisterResponse {
	t.Helper()
	resp, err := http.Post(h.url+"/api/v1/donors", "application/json", strings.NewReader(`{"name":"`+name+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var reg RegisterResponse
	if err := json.NewDecoder(resp.Body).Decode(&reg); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("register: %s %v", resp.Status, err)
	}
	return reg
}

func (h hub) get(t *testing.T, path string, header ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.url+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestDonorPushesOverSmartHTTPAndHealthSeesIt(t *testing.T) {
	h := startHub(t)
	alice := h.register(t, "alice")
	bob := h.register(t, "bob")
	if alice.Shard.Name != "shard-0001" || bob.Shard.Name != "shard-0002" {
		t.Fatalf("assigned %s and %s", alice.Shard.Name, bob.Shard.Name)
	}
	if alice.Shard.URL != h.url+"/git/shard-0001.git" || alice.Shard.Files != 2 || len(alice.Token) != 64 {
		t.Fatalf("registration %+v", alice)
	}

	refs := "/git/shard-0001.git/info/refs?service=git-receive-pack"
	if resp := h.get(t, refs); resp.StatusCode != 401 || len(resp.Header.Values("WWW-Authenticate")) == 0 {
		t.Errorf("push without token: %s %v", resp.Status, resp.Header)
	}
	if resp := h.get(t, "/git/shard-0001.git/info/refs?service=git-upload-pack&service=git-receive-pack"); resp.StatusCode != 401 {
		t.Errorf("push hidden behind a second service parameter: %s", resp.Status)
	}
	if resp := h.get(t, refs, "Authorization", "Bearer "+bob.Token); resp.StatusCode != 403 {
		t.Errorf("push to another donor's shard: %s", resp.Status)
	}
	if resp := h.get(t, refs, "Authorization", "Bearer "+alice.Token); resp.StatusCode != 200 {
		t.Errorf("push with token: %s", resp.Status)
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("x:"+alice.Token))
	if resp := h.get(t, refs, "Authorization", basic); resp.StatusCode != 200 {
		t.Errorf("push with the token as Basic password: %s", resp.Status)
	}
	if resp := h.get(t, "/git/shard-9999.git/info/refs?service=git-upload-pack"); resp.StatusCode != 404 {
		t.Errorf("unknown shard: %s", resp.Status)
	}

	env := testkit.HandEnv(t)
	work := testkit.HandDonor(t, env, alice.Shard.URL, alice.UUID, "alice")
	testkit.Run(t, env, work, "git", "-c", "annex.security.allowed-ip-addresses=127.0.0.1", "annex", "get", "-q", "a.txt")
	testkit.Run(t, env, work, "git", "annex", "merge", "-q")

	donorRef := "git-annex:refs/heads/donors/" + alice.UUID + "/git-annex"
	if out, err := testkit.Try(env, work, "git", "push", "origin", donorRef); err == nil {
		t.Errorf("push without a token succeeded:\n%s", out)
	}
	withToken := []string{"git", "-c", "http.extraHeader=Authorization: Bearer " + alice.Token, "push", "origin"}
	out, err := testkit.Try(env, work, append(withToken, "HEAD:refs/heads/sneaky")...)
	if err == nil || !strings.Contains(out, "shardhub: refusing refs/heads/sneaky") || !strings.Contains(out, "pre-receive hook declined") {
		t.Errorf("push to another ref: %v\n%s", err, out)
	}
	testkit.Run(t, env, work, append(withToken, donorRef)...)

	var report health.Report
	if err := json.NewDecoder(h.get(t, "/api/v1/health").Body).Decode(&report); err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(report.Shards[0].Copies, report.Shards[1].Copies, report.Shards[0].Donors)
	if len(report.Shards) != 2 || got != "[1 1] [2] 1" {
		t.Errorf("health %+v: copies %s, want shard-0001 {0:1, 1:1} with 1 donor, shard-0002 {0:2}", report, got)
	}

	logs := h.logs.String()
	for _, token := range []string{alice.Token, bob.Token} {
		if strings.Contains(logs, token) {
			t.Fatal("a token was logged")
		}
	}
	if !strings.Contains(logs, "donor="+alice.UUID) {
		t.Errorf("the push's log line does not name the donor:\n%s", logs)
	}
}

// TestChunkedRequestBody: git sends requests larger than http.postBuffer
// chunked, which net/http/cgi refuses; the server must spool them.
func TestChunkedRequestBody(t *testing.T) {
	h := startHub(t)
	head, err := annex.Git{Dir: shard.RepoDir(h.data, "shard-0001")}.Output(context.Background(), nil, "rev-parse", "main")
	if err != nil {
		t.Fatal(err)
	}
	body := pktLine("want "+strings.TrimSpace(string(head))+"\n") + "0000" + pktLine("done\n")
	req, _ := http.NewRequest(http.MethodPost, h.url+"/git/shard-0001.git/git-upload-pack", io.MultiReader(strings.NewReader(body)))
	req.Header.Set("Content-Type", "application/x-git-upload-pack-request")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !bytes.Contains(got, []byte("PACK")) {
		t.Errorf("chunked upload-pack: %s %q", resp.Status, got)
	}
}

func TestRegisterErrors(t *testing.T) {
	empty, err := New(Config{DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(empty.Handler())
	defer ts.Close()
	for _, tc := range []struct {
		body   string
		status int
		want   string
	}{
		{"", 503, "no shards"},
		{`{"name":`, 400, "must be JSON"},
		{`{"name":"` + strings.Repeat("x", 101) + `"}`, 400, "too long"},
		{`{"name":"a\u0007"}`, 400, "control characters"},
	} {
		resp, err := http.Post(ts.URL+"/api/v1/donors", "application/json", strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		var e struct{ Error string }
		json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(e.Error, tc.want) {
			t.Errorf("body %q: %d %q, want %d %q", tc.body, resp.StatusCode, e.Error, tc.status, tc.want)
		}
	}
}

func TestIndexAndOrigin(t *testing.T) {
	h := startHub(t)
	page, _ := io.ReadAll(h.get(t, "/").Body)
	if !strings.Contains(string(page), "shard-0002") || !strings.Contains(string(page), h.url+"/git/shard-0001.git") {
		t.Errorf("index page:\n%s", page)
	}
	if body, _ := io.ReadAll(h.get(t, "/origin/b%20b.bin").Body); string(body) != "bravo" {
		t.Errorf("origin served %q", body)
	}
	if resp := h.get(t, "/nope"); resp.StatusCode != 404 {
		t.Errorf("unknown path: %s", resp.Status)
	}
}

func pktLine(s string) string { return fmt.Sprintf("%04x%s", len(s)+4, s) }
