package server

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/manifest"
	"github.com/shardkeeper/shardkeeper/hub/restore"
	"github.com/shardkeeper/shardkeeper/hub/store"
	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

// The test files' contents (see startHubWith).
var contents = map[string]string{"a.txt": "alpha\n", "b b.bin": "bravo", "c/d.txt": "charlie", "e.txt": "echo"}

// restoreHub is a one-shard hub (all four files) with donors that hold
// files and pushed, and the hub's database opened beside the server, as
// shardhub firedrill opens it.
type restoreHub struct {
	hub
	db   *store.DB
	ops  restore.Hub
	repo string
}

func startRestoreHub(t *testing.T, md5Only bool) *restoreHub {
	t.Helper()
	return startRestoreHubWith(t, md5Only, nil)
}

func startRestoreHubWith(t *testing.T, md5Only bool, change func(*Config)) *restoreHub {
	t.Helper()
	t.Parallel()
	var edit func([]manifest.Entry)
	if md5Only {
		edit = func(es []manifest.Entry) {
			for i := range es {
				es[i].SHA256 = ""
			}
		}
	}
	h := startHubEntries(t, 10, edit, change)
	db, err := store.Open(h.data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &restoreHub{hub: h, db: db, ops: restore.Hub{DataDir: h.data, DB: db}, repo: filepath.Join(h.data, "shards", "shard-0001.git")}
}

// holding is a donor that fetched paths and pushed its branch.
func (h *restoreHub) holding(t *testing.T, name string, paths ...string) *donor {
	d := h.join(t, name)
	d.get(paths...)
	d.annex("merge", "-q")
	d.accepted("")
	return d
}

func (h *restoreHub) drill(t *testing.T, sel restore.Selection) restore.Started {
	t.Helper()
	st, err := h.ops.StartDrill(context.Background(), "shard-0001", sel)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// branchLog is a key's location log on the hub's git-annex branch.
func (h *restoreHub) branchLog(t *testing.T, k annex.Key) []annex.LogLine {
	out, err := testkit.Try(nil, h.repo, "git", "show", "git-annex:"+annex.LocationLogPath(k))
	if err != nil {
		t.Fatalf("read the location log of %s: %v\n%s", k, err, out)
	}
	return annex.Compact(annex.ParseLog([]byte(out)))
}

// reinjected waits until the hub recorded every verified file on the
// branch (it does so in the background).
func (h *restoreHub) reinjected(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		left, err := h.db.Unreinjected("shard-0001")
		if err != nil {
			t.Fatal(err)
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d verified files were not re-injected:\n%s", len(left), h.logs)
		}
	}
}

func status(lines []annex.LogLine, uuid string) byte {
	for _, l := range lines {
		if l.Value == uuid {
			return l.Status
		}
	}
	return 0
}

func (d *donor) restores() RestoresResponse {
	d.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, d.h.url+"/api/v1/donors/"+d.reg.UUID+"/restores", nil)
	code, data := send(d.t, req, d.reg.Token)
	var out RestoresResponse
	if err := json.Unmarshal(data, &out); err != nil || code != 200 {
		d.t.Fatalf("restores: %d %s", code, data)
	}
	return out
}

func asked(r RestoresResponse) []string {
	var paths []string
	for _, q := range r.Requests {
		paths = append(paths, q.Path)
	}
	slices.Sort(paths)
	return paths
}

// put uploads body for key as the donor whose token is given; length < 0
// sends it chunked (no Content-Length).
func (h *restoreHub) put(t *testing.T, uuid, token, key string, body string, length int64) (int, string) {
	t.Helper()
	var r io.Reader = strings.NewReader(body)
	if length < 0 {
		r = io.MultiReader(r) // hides the length: sent chunked
	}
	req, _ := http.NewRequest(http.MethodPut, h.url+"/api/v1/donors/"+uuid+"/restores/shard-0001/"+key, r)
	if length >= 0 {
		req.ContentLength = length
	}
	code, data := send(t, req, token)
	return code, string(data)
}

func (d *donor) upload(h *restoreHub, path, body string) (int, string) {
	d.t.Helper()
	return h.put(d.t, d.reg.UUID, d.reg.Token, string(d.key(path)), body, int64(len(body)))
}

// filesOutside lists the files under dir that are not in the restore
// area, the database or a shard repository.
func filesOutside(t *testing.T, dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(dir, p)
		if e != nil && e.IsDir() && (rel == "restore" || rel == "shards") {
			return filepath.SkipDir
		}
		if e != nil && !e.IsDir() && !strings.HasPrefix(rel, "hub.db") {
			out = append(out, rel)
		}
		return nil
	})
	return out
}

func TestRestoreUploadsAreCheckedAndRefusedWhenBad(t *testing.T) {
	h := startRestoreHub(t, false)
	alice := h.holding(t, "alice", "a.txt", "c/d.txt")
	bob := h.holding(t, "bob", "a.txt")
	path := "/api/v1/donors/" + alice.reg.UUID + "/restores"
	if code, _ := h.call(t, "GET", path, "", ""); code != 401 {
		t.Errorf("no token: %d", code)
	}
	if code, out := h.call(t, "GET", path, bob.reg.Token, ""); code != 403 {
		t.Errorf("another donor's token: %d %v", code, out)
	}
	if code, out := h.call(t, "GET", path, alice.reg.Token, ""); code != 200 || len(out["requests"].([]any)) != 0 {
		t.Errorf("no requests before a drill: %d %v", code, out)
	}
	st := h.drill(t, restore.Selection{Paths: []string{"a.txt", "c/d.txt", "b b.bin"}})
	if len(st.Files) != 3 || !strings.HasPrefix(st.Drill.ID, "drill-") {
		t.Fatalf("drill %+v", st)
	}
	keyA, keyD := alice.key("a.txt"), alice.key("c/d.txt")
	if got := status(h.branchLog(t, keyA), annex.WebUUID); got != '0' {
		t.Fatalf("the archive's copy of a.txt is not marked lost: %q", got)
	}
	before := filesOutside(t, filepath.Dir(h.data))

	// Alice asks first: she holds both files and is asked for both.
	ra := alice.restores()
	if got := asked(ra); !slices.Equal(got, []string{"a.txt", "c/d.txt"}) {
		t.Fatalf("alice is asked for %v", got)
	}
	r := ra.RemoteUUIDByShard["shard-0001"]
	if r == "" || r != restore.RemoteUUID(context.Background(), annex.Git{Dir: h.repo}) {
		t.Fatalf("restore remote %q", r)
	}
	if got := asked(bob.restores()); len(got) != 0 {
		t.Errorf("bob is asked for %v while alice is on it", got)
	}

	badUploads(t, h, alice, bob, keyA, keyD)
	if after := filesOutside(t, filepath.Dir(h.data)); !slices.Equal(before, after) {
		t.Errorf("uploads wrote outside the restore area: before %v, after %v", before, after)
	}
	rec, _ := h.db.Donor(alice.reg.UUID)
	if rec.Proof.FailsInRow != 4 {
		t.Errorf("alice's four refused uploads count %d failed proofs", rec.Proof.FailsInRow)
	}

	// Refused, alice is not asked again for a while: bob is, for a.txt.
	if got := asked(alice.restores()); len(got) != 0 {
		t.Errorf("after her bad uploads alice is asked for %v", got)
	}
	if got := asked(bob.restores()); !slices.Equal(got, []string{"a.txt"}) {
		t.Errorf("bob is asked for %v; want a.txt, which alice failed", got)
	}
	if code, msg := bob.upload(h, "a.txt", "alpha\n"); code != 200 || !strings.Contains(msg, `"verified"`) {
		t.Fatalf("bob's good upload: %d %s", code, msg)
	}
	for range 2 { // idempotent
		if code, msg := alice.upload(h, "c/d.txt", "charlie"); code != 200 || !strings.Contains(msg, `"verified"`) {
			t.Fatalf("alice's good upload: %d %s", code, msg)
		}
	}
	if code, msg := alice.upload(h, "a.txt", "alpha\n"); code != 409 {
		t.Errorf("an upload of a file verified from bob: %d %s", code, msg)
	}
	for _, f := range st.Files {
		ups, _ := h.db.Uploads(f.ID)
		accepted := slices.DeleteFunc(ups, func(u store.Upload) bool { return !u.Accepted })
		if f.Path == "c/d.txt" && len(accepted) != 1 {
			t.Errorf("c/d.txt uploaded twice counts %d accepted uploads", len(accepted))
		}
	}

	checkReinjected(t, h, alice, r, keyA, keyD)
}

// checkReinjected: verified files are re-injected: R holds them on the
// branch, and the hub serves them where git-annex looks in an HTTP remote.
func checkReinjected(t *testing.T, h *restoreHub, alice *donor, r string, keyA, keyD annex.Key) {
	t.Helper()
	h.reinjected(t)
	for _, k := range []annex.Key{keyA, keyD} {
		if got := status(h.branchLog(t, k), r); got != '1' {
			t.Errorf("%s: R's line %q, want present", k, got)
		}
	}
	if code, _ := alice.api("GET", "/api/v1/donors/"+alice.reg.UUID+"/restores/shard-0001/"+string(keyD), ""); code != 200 {
		t.Errorf("GET a verified key: %d", code)
	}
	if code, _ := alice.api("GET", "/api/v1/donors/"+alice.reg.UUID+"/restores/shard-0001/"+string(alice.key("e.txt")), ""); code != 404 {
		t.Errorf("GET a key the hub does not hold: %d", code)
	}
	if body := h.fetch(t, "/git/shard-0001.git/config"); !strings.Contains(body, "uuid = "+r) {
		t.Errorf("config: %q", body)
	}
	if body := h.fetch(t, "/git/shard-0001.git/"+restore.ObjectRel(keyD)); body != "charlie" {
		t.Errorf("object: %q", body)
	}
	if body := h.fetch(t, "/restore/shard-0001/c/d.txt"); body != "charlie" {
		t.Errorf("at its path: %q", body)
	}
	if resp := h.get(t, "/restore/shard-0001/e.txt"); resp.StatusCode != 404 {
		t.Errorf("a file not restored: %s", resp.Status)
	}
}

// badUploads is the bad-upload matrix: each refused with a clear status
// and message (alice holds a.txt and c/d.txt, bob only a.txt).
func badUploads(t *testing.T, h *restoreHub, alice, bob *donor, keyA, keyD annex.Key) {
	t.Helper()
	cases := []struct {
		name, uuid, token, key, body string
		length                       int64
		want                         int
		says                         string
	}{
		{"no token", alice.reg.UUID, "", string(keyD), "charlie", 7, 401, "token"},
		{"unknown token", alice.reg.UUID, strings.Repeat("0", 64), string(keyD), "charlie", 7, 401, "token"},
		{"another donor's token", alice.reg.UUID, bob.reg.Token, string(keyD), "charlie", 7, 403, "another donor"},
		{"a key the donor never held", bob.reg.UUID, bob.reg.Token, string(keyD), "charlie", 7, 403, "does not say it holds"},
		{"a key nobody asked for", alice.reg.UUID, alice.reg.Token, string(alice.key("e.txt")), "echo", 4, 404, "no open restore request"},
		{"bytes past the size", alice.reg.UUID, alice.reg.Token, string(keyD), "charlie and more", 16, 413, "more bytes"},
		{"bytes past the size, chunked", alice.reg.UUID, alice.reg.Token, string(keyD), "charlie and more", -1, 413, "more bytes"},
		{"truncated", alice.reg.UUID, alice.reg.Token, string(keyD), "charl", 5, 422, "truncated"},
		{"wrong bytes", alice.reg.UUID, alice.reg.Token, string(keyA), "ALPHA\n", 6, 422, "checksum"},
		{"dot-dot key", alice.reg.UUID, alice.reg.Token, "..", "x", 1, 400, "'..'"},
		{"dot-dot in a key", alice.reg.UUID, alice.reg.Token, "SHA256E-s1--..%2F..%2Fx", "x", 1, 400, "'..'"},
		{"slash in a key", alice.reg.UUID, alice.reg.Token, "SHA256E-s1--a%2Fb", "x", 1, 400, "not a git-annex key"},
	}
	for _, c := range cases {
		code, msg := h.put(t, c.uuid, c.token, c.key, c.body, c.length)
		if code != c.want || !strings.Contains(msg, c.says) || !strings.Contains(msg, `"error"`) {
			t.Errorf("%s: %d %s; want %d saying %q", c.name, code, msg, c.want, c.says)
		}
	}
}

func (h *restoreHub) fetch(t *testing.T, path string) string {
	t.Helper()
	resp := h.get(t, path)
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s %s", path, resp.Status, data)
	}
	return string(data)
}

// TestFreshCloneGetsADrilledFileFromTheHub: with the archive's copy marked
// lost, git-annex in a fresh clone gets a re-injected file from origin,
// which is the shard's restore remote R. A restarted hub knows the drill,
// who was asked and what was verified.
func TestFreshCloneGetsADrilledFileFromTheHub(t *testing.T) {
	h := startRestoreHub(t, false)
	alice := h.holding(t, "alice", "a.txt", "c/d.txt")
	h.drill(t, restore.Selection{Paths: []string{"c/d.txt", "a.txt"}})
	if got := asked(alice.restores()); len(got) != 2 {
		t.Fatalf("alice is asked for %v", got)
	}
	if code, msg := alice.upload(h, "c/d.txt", "charlie"); code != 200 {
		t.Fatalf("upload: %d %s", code, msg)
	}
	h.reinjected(t)
	h.restarted(t, alice)

	h.reinjected(t)
	env := testkit.HandEnv(t)
	dir := filepath.Join(t.TempDir(), "fresh")
	testkit.Run(t, env, "", "git", "clone", "-q", alice.reg.Shard.URL, dir)
	testkit.Run(t, env, dir, "git", "-c", "annex.security.allowed-ip-addresses=127.0.0.1", "annex", "init", "-q", "fresh")
	get := []string{"git", "-c", "annex.security.allowed-ip-addresses=127.0.0.1", "annex", "get"}
	out := testkit.Run(t, env, dir, append(get, "c/d.txt")...)
	data, err := os.ReadFile(filepath.Join(dir, "c", "d.txt"))
	if err != nil || string(data) != "charlie" {
		t.Fatalf("after git annex get: %q %v\n%s\n%s", data, err, out, h.logs.String())
	}
	// a.txt is lost and was not sent back yet: git-annex has nowhere to get it.
	if out, err := testkit.Try(env, dir, append(get, "a.txt")...); err == nil {
		t.Errorf("a.txt came from somewhere although the archive's copy is marked lost:\n%s", out)
	}
}

// TestAuditAllowsPresentLinesForTheRestoreRemote: a donor's upload through
// the shardhub-restore special remote makes its git-annex record R as
// present; that push lands (a real git push), R's missing lines and other
// UUIDs' lines stay refused, and R never counts as a donor copy.
func TestAuditAllowsPresentLinesForTheRestoreRemote(t *testing.T) {
	h := startRestoreHub(t, false)
	alice := h.holding(t, "alice", "a.txt", "c/d.txt")
	h.drill(t, restore.Selection{Paths: []string{"a.txt"}})
	r := alice.restores().RemoteUUIDByShard["shard-0001"]
	alice.sync()
	before := alice.git("rev-parse", "git-annex")
	alice.annex("setpresentkey", string(alice.key("c/d.txt")), r, "0")
	alice.annex("merge", "-q")
	alice.refused("adds a line for another repository ("+r+")", "git-annex:"+alice.ref())
	alice.resetBranch(before)
	alice.annex("setpresentkey", "SHA256E-s3--"+strings.Repeat("ab", 32)+".txt", r, "1")
	alice.annex("merge", "-q")
	alice.refused("claims a key that is not in this shard", "git-annex:"+alice.ref())
	alice.resetBranch(before)

	alice.annex("setpresentkey", string(alice.key("a.txt")), r, "1")
	alice.annex("setpresentkey", string(alice.key("c/d.txt")), r, "1")
	alice.annex("merge", "-q")
	alice.accepted("")

	resp := h.get(t, "/api/v1/health")
	var rep struct {
		Shards []struct {
			Copies map[string]int `json:"copies"`
		} `json:"shards"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		t.Fatal(err)
	}
	// Alice holds two files; R's lines on them add no copy.
	if got := rep.Shards[0].Copies; got["1"] != 2 || got["2"] != 0 {
		t.Errorf("copies %v: R counted as a donor copy", got)
	}
}

// TestMD5OnlyKeysNeedTwoDonorsToAgree: an MD5 can be forged, so an
// MD5-only file counts as verified only when a second donor's bytes agree;
// a file one donor alone holds is "verified, single MD5 source".
func TestMD5OnlyKeysNeedTwoDonorsToAgree(t *testing.T) {
	h := startRestoreHub(t, true)
	alice := h.holding(t, "alice", "a.txt", "c/d.txt")
	bob := h.holding(t, "bob", "a.txt")
	if k := alice.key("a.txt"); k.Backend() != "MD5E" {
		t.Fatalf("key %s is not MD5-only", k)
	}
	h.drill(t, restore.Selection{Paths: []string{"a.txt", "c/d.txt"}})
	if got := asked(alice.restores()); !slices.Equal(got, []string{"a.txt", "c/d.txt"}) {
		t.Fatalf("alice is asked for %v", got)
	}
	if code, msg := alice.upload(h, "a.txt", "alpha\n"); code != 200 || !strings.Contains(msg, `"uploaded"`) {
		t.Fatalf("alice's upload of a.txt: %d %s", code, msg)
	}
	statusPath := "/api/v1/donors/" + alice.reg.UUID + "/restores/shard-0001/" + string(alice.key("a.txt"))
	if code, _ := alice.api("GET", statusPath, ""); code != 404 {
		t.Errorf("one donor's MD5-only bytes already count as verified: %d", code)
	}
	if code, msg := alice.upload(h, "a.txt", "alpha\n"); code != 200 || !strings.Contains(msg, `"uploaded"`) {
		t.Errorf("the same donor again does not make two: %d %s", code, msg)
	}
	if got := asked(bob.restores()); !slices.Equal(got, []string{"a.txt"}) {
		t.Fatalf("bob is asked for %v; want a.txt for a second opinion", got)
	}
	if code, msg := bob.upload(h, "a.txt", "alpha\n"); code != 200 || !strings.Contains(msg, `"verified"`) {
		t.Fatalf("bob's agreeing upload: %d %s", code, msg)
	}
	if code, _ := alice.api("GET", statusPath, ""); code != 200 {
		t.Errorf("two agreeing donors: %d", code)
	}
	if code, msg := alice.upload(h, "c/d.txt", "charlie"); code != 200 || !strings.Contains(msg, `"verified_single_md5"`) || !strings.Contains(msg, "single MD5 source") {
		t.Errorf("a file only alice holds: %d %s", code, msg)
	}
	h.reinjected(t)
	rep, err := restore.Status(h.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := rep.Drills[0]
	if d.Verified != 2 || d.Uploaded != 2 || d.Reinjected != 2 {
		t.Errorf("report %+v", d)
	}
	for _, f := range d.Files {
		want := map[string]string{"a.txt": "md5_two_donors", "c/d.txt": "md5_single_source"}[f.Path]
		if f.Verification != want {
			t.Errorf("%s verified as %q, want %q", f.Path, f.Verification, want)
		}
	}
}

// TestASilentDonorIsPassedOver: a donor asked for a file that does not
// upload it within AskSilence is passed over for another holding it; a
// leaving donor is not asked.
func TestASilentDonorIsPassedOver(t *testing.T) {
	c := &clock{t: time.Now()}
	h := startRestoreHubWith(t, false, func(cfg *Config) { cfg.Now = c.Now })
	alice := h.holding(t, "alice", "a.txt")
	bob := h.holding(t, "bob", "a.txt")
	carol := h.holding(t, "carol", "a.txt")
	h.drill(t, restore.Selection{Paths: []string{"a.txt"}})
	if got := asked(alice.restores()); len(got) != 1 {
		t.Fatalf("alice is asked for %v", got)
	}
	if code, _ := carol.api("POST", "/api/v1/donors/"+carol.reg.UUID+"/leave", ""); code != 200 {
		t.Fatal("carol could not leave")
	}
	c.Add(DefaultAskSilence - time.Second)
	if got := asked(bob.restores()); len(got) != 0 {
		t.Errorf("bob is asked for %v while alice still may upload", got)
	}
	c.Add(2 * time.Second)
	if got := asked(carol.restores()); len(got) != 0 {
		t.Errorf("carol, leaving, is asked for %v", got)
	}
	if got := asked(bob.restores()); len(got) != 1 {
		t.Errorf("alice stayed silent, yet bob is asked for %v", got)
	}
	if got := asked(alice.restores()); len(got) != 0 {
		t.Errorf("alice is still asked for %v after bob took it", got)
	}
}

// restarted checks a second server on the same data: alice is still asked
// for a.txt only, and c/d.txt is known verified from her bytes.
func (h *restoreHub) restarted(t *testing.T, alice *donor) {
	t.Helper()
	srv, err := New(Config{DataDir: h.data, AuditHook: testkit.SelfHook(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	again, h2 := *alice, *h
	again.h.url, h2.url = ts.URL, ts.URL
	if got := asked(again.restores()); !slices.Equal(got, []string{"a.txt"}) {
		t.Errorf("after a restart alice is asked for %v, want a.txt only", got)
	}
	if code, msg := again.upload(&h2, "c/d.txt", "charlie"); code != 200 || !strings.Contains(msg, "already verified") {
		t.Errorf("after a restart an upload of a verified file: %d %s", code, msg)
	}
}
