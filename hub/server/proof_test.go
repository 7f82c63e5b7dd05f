package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/health"
	"github.com/shardkeeper/shardkeeper/hub/manifest"
	"github.com/shardkeeper/shardkeeper/hub/shard"
	"github.com/shardkeeper/shardkeeper/hub/store"
	"github.com/shardkeeper/shardkeeper/internal/proof"
	"github.com/shardkeeper/shardkeeper/internal/testkit"
	"log/slog"
)

// rangeOrigin serves a collection with http.ServeContent (Range support)
// and counts the range requests, so tests see the hub's check use them.
type rangeOrigin struct {
	dir    string
	mu     sync.Mutex
	ranges int
	down   bool // answer 503
}

func (o *rangeOrigin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	down := o.down
	o.mu.Unlock()
	if down {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	f, err := os.Open(filepath.Join(o.dir, filepath.FromSlash(strings.TrimPrefix(r.URL.Path, "/"))))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	if r.Header.Get("Range") != "" {
		o.mu.Lock()
		o.ranges++
		o.mu.Unlock()
	}
	st, _ := f.Stat()
	http.ServeContent(w, r, st.Name(), st.ModTime(), f)
}

func (o *rangeOrigin) setDown(down bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.down = down
}

func (o *rangeOrigin) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.ranges
}

// proofHub is a hub over one shard with a large file (a random range) and
// a small one (challenged whole), on a settable clock.
type proofHub struct {
	hub
	srv    *Server
	clock  *clock
	origin *rangeOrigin
}

func startProofHub(t *testing.T) *proofHub {
	t.Helper()
	testkit.RequireGitAnnex(t)
	big := make([]byte, 300<<10)
	mrand.NewChaCha8([32]byte{1}).Read(big)
	collection := testkit.WriteFiles(t, map[string]string{"big.bin": string(big), "a.txt": "alpha\n"})
	o := &rangeOrigin{dir: collection}
	ots := httptest.NewServer(o)
	t.Cleanup(ots.Close)
	ts := httptest.NewUnstartedServer(nil)
	p := &proofHub{hub: hub{url: "http://" + ts.Listener.Addr().String(), data: t.TempDir(), logs: &testkit.SyncBuffer{}},
		clock: &clock{t: time.Now()}, origin: o}
	entries, err := manifest.FromDir(collection, ots.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := shard.Build(context.Background(), entries, shard.Options{DataDir: p.data, FilesPerShard: 10}); err != nil {
		t.Fatal(err)
	}
	p.srv, err = New(Config{DataDir: p.data, PublicURL: p.url, AuditHook: testkit.SelfHook(t), Now: p.clock.Now,
		Rand: mrand.NewChaCha8([32]byte{2}), Logger: slog.New(slog.NewTextHandler(p.logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.srv.Close() })
	ts.Config.Handler = p.srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return p
}

// holding is a donor that joined, fetched path and reported it.
func (p *proofHub) holding(t *testing.T, name, path string) *donor {
	t.Helper()
	d := p.join(t, name)
	d.sync()
	d.get(path)
	d.annex("merge", "-q")
	d.accepted("")
	return d
}

// round runs a challenge round a day after the last.
func (p *proofHub) round(t *testing.T) {
	t.Helper()
	p.clock.Add(25 * time.Hour)
	if err := p.srv.ChallengeRound(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (p *proofHub) report(t *testing.T) health.Report {
	t.Helper()
	var r health.Report
	json.NewDecoder(p.get(t, "/api/v1/health").Body).Decode(&r)
	return r
}

// challenge is the donor's one open challenge.
func (d *donor) challenge() proof.Challenge {
	d.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, d.h.url+"/api/v1/donors/"+d.reg.UUID+"/challenges", nil)
	req.Header.Set("Authorization", "Bearer "+d.reg.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	var open []proof.Challenge
	if err := json.NewDecoder(resp.Body).Decode(&open); err != nil || len(open) != 1 {
		d.t.Fatalf("open challenges: %s %+v %v", resp.Status, open, err)
	}
	return open[0]
}

// object is the donor's object file for key.
func (d *donor) object(k string) string {
	return filepath.Join(d.dir, filepath.FromSlash(annex.ObjectPath(annex.Key(k))))
}

// answer answers from the donor's own object file, as the agent does: a
// missing file is "not held".
func (d *donor) answer(c proof.Challenge) (int, map[string]any) {
	d.t.Helper()
	f, err := os.Open(d.object(c.Key))
	if os.IsNotExist(err) {
		return d.api("POST", "/api/v1/donors/"+d.reg.UUID+"/challenges/"+c.ID, `{"not_held": true}`)
	}
	if err != nil {
		d.t.Fatal(err)
	}
	defer f.Close()
	ans, err := proof.Answer(c, f)
	if err != nil {
		d.t.Fatal(err)
	}
	return d.api("POST", "/api/v1/donors/"+d.reg.UUID+"/challenges/"+c.ID, `{"answer": "`+ans+`"}`)
}

// writable lets the test change git-annex's read-only object.
func writable(t *testing.T, obj string) {
	t.Helper()
	if err := os.Chmod(filepath.Dir(obj), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(obj, 0o644); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
}

func passed(t *testing.T, who string, code int, out map[string]any, want bool) {
	t.Helper()
	if code != 200 || out["passed"] != want {
		t.Fatalf("%s: %d %v, want passed=%v", who, code, out, want)
	}
}

// TestProofOfStorage: a donor holding the file passes; one that deleted
// it, corrupted it or stays silent fails; three failures in a row stop
// its copies counting, and a pass brings them back. The hub checks with
// range requests to the archive's origin.
func TestProofOfStorage(t *testing.T) {
	p := startProofHub(t)
	alice, bob := p.holding(t, "alice", "big.bin"), p.holding(t, "bob", "big.bin")
	bigKey := string(alice.key("big.bin"))
	if r := p.report(t); r.Shards[0].Copies[2] != 1 {
		t.Fatalf("before any proof: copies %v", r.Shards[0].Copies)
	}

	p.round(t)
	ca, cb := alice.challenge(), bob.challenge()
	if ca.Key != bigKey || ca.Length != proof.MaxLength || ca.Nonce == cb.Nonce {
		t.Fatalf("challenges %+v %+v", ca, cb)
	}
	before := p.origin.count()
	code, out := alice.answer(ca)
	passed(t, "alice holding the file", code, out, true)
	if p.origin.count() == before {
		t.Error("the hub checked without a range request to the origin")
	}
	if code, _ := alice.answer(ca); code != http.StatusConflict {
		t.Errorf("answering twice: %d", code)
	}
	// Bob deleted his copy (his location log still says present).
	writable(t, bob.object(bigKey))
	os.Remove(bob.object(bigKey))
	code, out = bob.answer(cb)
	passed(t, "bob after deleting", code, out, false)

	// Alice answers every challenge from here on.
	round := func() {
		t.Helper()
		p.round(t)
		code, out := alice.answer(alice.challenge())
		passed(t, "alice", code, out, true)
	}

	// Corrupted, not deleted: same size, other bytes.
	round()
	cb = bob.challenge()
	junk := bytes.Repeat([]byte{'x'}, 300<<10)
	if err := os.WriteFile(bob.object(bigKey), junk, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out = bob.answer(cb)
	passed(t, "bob with a corrupted copy", code, out, false)
	if r := p.report(t); r.Shards[0].Copies[2] != 1 || r.Total.DonorsFailingProofs != 0 {
		t.Fatalf("two failures stop nothing yet: %v failing %d", r.Shards[0].Copies, r.Total.DonorsFailingProofs)
	}

	// Silence: the challenge expires, the third failure in a row.
	round()
	cb = bob.challenge()
	round()
	if code, _ := bob.answer(cb); code != http.StatusConflict {
		t.Errorf("answering an expired challenge: %d", code)
	}
	checkBobStopsCounting(t, p, bob)

	// Bob fetches the file again and passes: his copies count again.
	os.Remove(bob.object(bigKey))
	bob.get("big.bin")
	round()
	code, out = bob.answer(bob.challenge())
	passed(t, "bob after fetching again", code, out, true)
	if r := p.report(t); len(r.Shards[0].Copies) != 3 || r.Total.DonorsFailingProofs != 0 {
		t.Errorf("after a pass: copies %v failing %d", r.Shards[0].Copies, r.Total.DonorsFailingProofs)
	}
}

// checkBobStopsCounting: after three failures in a row bob's copies do not
// count, the report and his own record say so.
func checkBobStopsCounting(t *testing.T, p *proofHub, bob *donor) {
	t.Helper()
	r := p.report(t)
	if r.Shards[0].Copies[1] != 1 || r.Total.DonorsFailingProofs != 1 || r.Shards[0].DonorsFailingProofs != 1 {
		t.Fatalf("after three failures bob still counts: copies %v failing %d", r.Shards[0].Copies, r.Total.DonorsFailingProofs)
	}
	var failing []health.DonorStanding
	for _, s := range r.Donors {
		if s.FailingProofs {
			failing = append(failing, s)
		}
	}
	if len(failing) != 1 || failing[0].Counting || failing[0].ProofFailuresInRow != 3 || failing[0].Name != "anonymous" {
		t.Errorf("standings %+v", r.Donors)
	}
	if _, rec := bob.api("GET", "/api/v1/donors/"+bob.reg.UUID, ""); fmt.Sprint(rec["proof"]) == "<nil>" ||
		rec["proof"].(map[string]any)["failures_in_a_row"] != 3.0 || rec["proof"].(map[string]any)["counting"] != false {
		t.Errorf("bob's own record: %v", rec["proof"])
	}
	if r.Shards[0].LackingCopies != 2+3 { // big.bin 1 copy, a.txt none, target 3
		t.Errorf("lacking %d", r.Shards[0].LackingCopies)
	}
}

// TestSmallFileIsCheckedWhole: a file under the range limit is challenged
// whole, and the hub checks the origin's bytes against the key's hash.
func TestSmallFileIsCheckedWhole(t *testing.T) {
	p := startProofHub(t)
	d := p.holding(t, "carol", "a.txt")
	p.round(t)
	c := d.challenge()
	if c.Offset != 0 || c.Length != 6 {
		t.Fatalf("challenge %+v", c)
	}
	code, out := d.answer(c)
	passed(t, "carol", code, out, true)
	if code, _ := p.call(t, "GET", "/api/v1/donors/"+d.reg.UUID+"/challenges", "", ""); code != 401 {
		t.Errorf("challenges without a token: %d", code)
	}
}

func TestReadRangeChecksTheOrigin(t *testing.T) {
	content := []byte("hello world\n")
	sum := sha256.Sum256(content)
	k := annex.NewKey("SHA256E", int64(len(content)), hex.EncodeToString(sum[:]), "x.txt")
	ignoresRange := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(content) }))
	defer ignoresRange.Close()
	if data, err := readRange(context.Background(), http.DefaultClient, ignoresRange.URL, k, 6, 5); err != nil || string(data) != "world" {
		t.Errorf("an origin without ranges, small file: %q %v", data, err)
	}
	wrong := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("HELLO WORLD\n")) }))
	defer wrong.Close()
	if _, err := readRange(context.Background(), http.DefaultClient, wrong.URL, k, 0, 5); err == nil {
		t.Error("an origin serving other bytes was believed")
	}
	badRange := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes 0-4/%d", len(content)))
		w.WriteHeader(http.StatusPartialContent)
		w.Write(content[:5])
	}))
	defer badRange.Close()
	if _, err := readRange(context.Background(), http.DefaultClient, badRange.URL, k, 6, 5); err == nil {
		t.Error("a 206 for the wrong range was believed")
	}
}

func TestIssueNeedsAHeldKeyAndOneAtATime(t *testing.T) {
	p := startProofHub(t)
	d := p.join(t, "dave")
	is := p.srv.issuer()
	dave, _ := p.srv.donors.Donor(d.reg.UUID)
	if _, err := is.Issue(dave, p.clock.Now()); !errors.Is(err, ErrNothingToChallenge) {
		t.Errorf("a donor holding nothing: %v", err)
	}
	d.get("a.txt")
	d.annex("merge", "-q")
	d.accepted("")
	p.round(t)
	if _, err := is.Issue(dave, p.clock.Now()); !errors.Is(err, store.ErrChallengeOpen) {
		t.Errorf("a second open challenge: %v", err)
	}
}

// TestAnswerCheckedLaterWhenOriginIsDown: with the archive's origin down
// the hub keeps the answer (503) and checks it in a later round; an
// answer it cannot check for longer than the TTL is set aside without
// blame, and the donor is challenged again.
func TestAnswerCheckedLaterWhenOriginIsDown(t *testing.T) {
	p := startProofHub(t)
	d := p.holding(t, "erin", "big.bin")
	p.round(t)
	p.origin.setDown(true)
	if code, _ := d.answer(d.challenge()); code != http.StatusServiceUnavailable {
		t.Fatalf("with the origin down: %d", code)
	}
	p.origin.setDown(false)
	p.clock.Add(time.Hour)
	if err := p.srv.ChallengeRound(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, rec := d.api("GET", "/api/v1/donors/"+d.reg.UUID, "")
	if proofRec := rec["proof"].(map[string]any); proofRec["last_passed"] == nil {
		t.Fatalf("the kept answer was not checked later: %v\n%s", proofRec, p.logs)
	}

	p.round(t)
	p.origin.setDown(true)
	d.answer(d.challenge())
	p.round(t) // more than the TTL later, still down: set aside, and a new challenge
	p.origin.setDown(false)
	_, rec = d.api("GET", "/api/v1/donors/"+d.reg.UUID, "")
	if proofRec := rec["proof"].(map[string]any); proofRec["failures_in_a_row"] != 0.0 {
		t.Errorf("the donor was blamed for the origin: %v", proofRec)
	}
	code, out := d.answer(d.challenge())
	passed(t, "erin", code, out, true)
}
