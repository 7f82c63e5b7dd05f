package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/restore"
	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

var drillFiles = map[string]string{"a.txt": "alpha", "b/c.txt": "charlie", "d.txt": "delta", "e.txt": "echo"}

// handDonor stands in for an agent: a real registration and a real clone
// whose location log claims the files it "holds"; it uploads the bytes
// the hub asks for by hand.
type handDonor struct {
	t    *testing.T
	s    served
	reg  registration
	keys map[string]string // path -> key
	bad  map[string]bool   // paths it uploads wrong bytes for
}

func holdingDonor(t *testing.T, s served, paths ...string) *handDonor {
	t.Helper()
	d := &handDonor{t: t, s: s, reg: s.register(t), keys: map[string]string{}, bad: map[string]bool{}}
	env := testkit.HandEnv(t)
	work := testkit.HandDonor(t, env, d.reg.Shard.URL, d.reg.UUID, "donor")
	for p := range drillFiles {
		d.keys[p] = strings.TrimSpace(testkit.Run(t, env, work, "git", "annex", "lookupkey", p))
	}
	for _, p := range paths {
		testkit.Run(t, env, work, "git", "annex", "setpresentkey", d.keys[p], d.reg.UUID, "1")
	}
	testkit.Run(t, env, work, "git", "annex", "merge", "-q")
	testkit.Run(t, env, work, testkit.HandPushArgs(d.reg.Token, d.reg.UUID)...)
	return d
}

func (d *handDonor) do(method, path string, body io.Reader) (int, []byte) {
	req, _ := http.NewRequest(method, d.s.base+"/api/v1/donors/"+d.reg.UUID+path, body)
	req.Header.Set("Authorization", "Bearer "+d.reg.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Error(err)
		return 0, nil
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

// serveRequests uploads what the hub asks for (wrong bytes for d.bad) and
// returns the paths it uploaded, whatever the verdict.
func (d *handDonor) serveRequests() []string {
	code, data := d.do("GET", "/restores", nil)
	var list struct {
		Requests []struct{ Shard, Key, Path string }
	}
	if err := json.Unmarshal(data, &list); code != 200 || err != nil {
		d.t.Errorf("restores: %d %s", code, data)
		return nil
	}
	var done []string
	for _, r := range list.Requests {
		body := drillFiles[r.Path]
		if d.bad[r.Path] {
			body = strings.ToUpper(body)
			delete(d.bad, r.Path)
		}
		d.do("PUT", "/restores/"+r.Shard+"/"+r.Key, strings.NewReader(body))
		done = append(done, r.Path)
	}
	return done
}

func drillStatus(t *testing.T, data string) restore.Report {
	t.Helper()
	out, errOut, code := run(t, "firedrill", "--data", data, "--status", "--json")
	var rep restore.Report
	if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil {
		t.Fatalf("status: %d %v %s", code, err, errOut)
	}
	return rep
}

func webLine(t *testing.T, data, key string) byte {
	t.Helper()
	out := testkit.Run(t, nil, filepath.Join(data, "shards", "shard-0001.git"), "git", "show", "git-annex:"+annex.LocationLogPath(annex.Key(key)))
	for _, l := range annex.Compact(annex.ParseLog([]byte(out))) {
		if l.Value == annex.WebUUID {
			return l.Status
		}
	}
	return 0
}

// TestFiredrillCommand: a drill beside a running serve, donors (by hand)
// send the files back, one of them first with wrong bytes; the status
// counts every step; --end puts the archive's copies back.
func TestFiredrillCommand(t *testing.T) {
	s := startServeFiles(t, drillFiles)
	alice := holdingDonor(t, s, "a.txt", "b/c.txt", "d.txt")
	bob := holdingDonor(t, s, "a.txt", "b/c.txt")
	out, errOut, code := run(t, "firedrill", "--data", s.data, "--shard", "shard-0001", "--count", "10")
	id := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(id, "drill-") || !strings.Contains(errOut, "3 files of shard-0001") {
		t.Fatalf("firedrill: %d %q %q", code, out, errOut)
	}
	for _, p := range []string{"a.txt", "b/c.txt", "d.txt"} {
		if got := webLine(t, s.data, alice.keys[p]); got != '0' {
			t.Errorf("%s: the web's line is %q after the drill started", p, got)
		}
	}
	// Twice on one file: nothing new, nothing counted twice.
	if _, errOut, code := run(t, "firedrill", "--data", s.data, "--shard", "shard-0001", "--path", "a.txt"); code != 1 || !strings.Contains(errOut, "in a running drill already") {
		t.Errorf("a second drill on a.txt: %d %q", code, errOut)
	}
	rep := drillStatus(t, s.data)
	if len(rep.Drills) != 1 || rep.Drills[0].Requested != 3 || rep.Drills[0].Verified != 0 {
		t.Fatalf("status: %+v", rep)
	}

	alice.bad["a.txt"] = true
	for range 3 { // alice refused for a.txt: bob is asked for it next
		alice.serveRequests()
		bob.serveRequests()
	}
	// Re-injection runs in the background: wait for it.
	for deadline := time.Now().Add(30 * time.Second); drillStatus(t, s.data).Drills[0].Reinjected < 3 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	rep = drillStatus(t, s.data)
	d := rep.Drills[0]
	if d.Requested != 3 || d.Uploaded != 3 || d.Verified != 3 || d.Rejected != 1 || d.Reinjected != 3 {
		t.Errorf("after the uploads: %+v", d)
	}
	for _, f := range d.Files {
		if f.State != "reinjected" || (f.Path == "a.txt" && (f.Donor != bob.reg.UUID || len(f.Rejections) != 1 || f.Rejections[0].Donor != alice.reg.UUID)) {
			t.Errorf("file %+v", f)
		}
	}
	text, _, _ := run(t, "firedrill", "--data", s.data, "--status")
	if !strings.Contains(text, "3 verified, 1 rejected, 3 re-injected") || !strings.Contains(text, "rejected from "+alice.reg.UUID) {
		t.Errorf("--status:\n%s", text)
	}

	// What the archive lost is in the restore area now: restore writes it
	// out without asking anyone, and exits 0.
	to := filepath.Join(t.TempDir(), "lost")
	if out, errOut, code := run(t, "restore", "--data", s.data, "--shard", "shard-0001", "--to", to); code != 0 || !strings.Contains(out, "restored: 3 files") {
		t.Errorf("restore of the lost files: %d %s %s", code, out, errOut)
	}
	if got, _ := os.ReadFile(filepath.Join(to, "b", "c.txt")); string(got) != "charlie" {
		t.Errorf("b/c.txt restored as %q", got)
	}
	if out, errOut, code := run(t, "firedrill", "--data", s.data, "--end"); code != 0 || !strings.Contains(out, id+" ended") {
		t.Fatalf("--end: %d %q %q", code, out, errOut)
	}
	for _, p := range []string{"a.txt", "b/c.txt", "d.txt"} {
		if got := webLine(t, s.data, alice.keys[p]); got != '1' {
			t.Errorf("%s: the web's line is %q after --end", p, got)
		}
	}
	if rep := drillStatus(t, s.data); rep.Drills[0].Ended == nil || rep.Drills[0].Verified != 3 {
		t.Errorf("the report after --end: %+v", rep.Drills[0])
	}
	if _, errOut, code := run(t, "firedrill", "--data", s.data, "--end"); code != 1 || !strings.Contains(errOut, "no drill is running") {
		t.Errorf("--end again: %d %q", code, errOut)
	}
}

// TestRestoreCommand restores a whole shard into a directory while donors
// upload beside it: a file nobody holds is reported unrecoverable (exit
// 3); run again, nothing is fetched twice.
func TestRestoreCommand(t *testing.T) {
	s := startServeFiles(t, drillFiles)
	alice := holdingDonor(t, s, "a.txt", "b/c.txt")
	bob := holdingDonor(t, s, "d.txt")
	to := filepath.Join(t.TempDir(), "restored")

	// First run: only alice uploads; bob stays silent, d.txt is missing.
	var errb bytes.Buffer
	var out string
	code := runBeside(t, &errb, &out, []string{"restore", "--data", s.data, "--shard", "shard-0001", "--to", to, "--all", "--wait", "2s"},
		func() bool { return len(alice.serveRequests()) > 0 })
	if code != ExitMissing || !strings.Contains(out, "restored: 2 files") || !strings.Contains(out, "d.txt  (held by "+bob.reg.UUID+")") ||
		!strings.Contains(out, "unrecoverable: 1 files") || !strings.Contains(out, "  e.txt") {
		t.Fatalf("first run: %d\n%s\n%s", code, out, errb.String())
	}
	if !strings.Contains(errb.String(), "files, ") || !strings.Contains(errb.String(), "ETA") {
		t.Errorf("no progress shown: %q", errb.String())
	}
	// Second run: bob uploads d.txt; a.txt and b/c.txt are not asked again.
	errb.Reset()
	code = runBeside(t, &errb, &out, []string{"restore", "--data", s.data, "--shard", "shard-0001", "--to", to, "--all", "--wait", "2s"},
		func() bool {
			if got := alice.serveRequests(); len(got) > 0 {
				t.Errorf("alice asked again for %v", got)
			}
			return len(bob.serveRequests()) > 0
		})
	if code != ExitMissing || !strings.Contains(out, "restored: 3 files") || !strings.Contains(out, "(2 were there from an earlier run)") {
		t.Fatalf("second run: %d\n%s\n%s", code, out, errb.String())
	}
	for p, want := range drillFiles {
		got, err := os.ReadFile(filepath.Join(to, filepath.FromSlash(p)))
		if p == "e.txt" {
			if err == nil {
				t.Errorf("e.txt was written")
			}
			continue
		}
		if string(got) != want {
			t.Errorf("%s: %q %v", p, got, err)
		}
	}
	// Third run: nothing to ask, everything that can be is there.
	if out, _, code := run(t, "restore", "--data", s.data, "--shard", "shard-0001", "--to", to, "--all", "--wait", "1s"); code != ExitMissing ||
		!strings.Contains(out, "restored: 3 files into "+to+" (3 were there from an earlier run)") {
		t.Errorf("third run: %d\n%s", code, out)
	}
	entries, _ := os.ReadDir(to)
	if names := dirNames(entries); !slices.Equal(names, []string{"a.txt", "b", "d.txt"}) {
		t.Errorf("the directory holds %v", names)
	}
}

// runBeside runs a shardhub command while step runs again and again (a
// donor uploading); it returns the exit code and stdout.
func runBeside(t *testing.T, stderr *bytes.Buffer, stdout *string, args []string, step func() bool) int {
	t.Helper()
	var out bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- Run(context.Background(), args, &out, stderr) }()
	tick := time.NewTicker(20 * time.Millisecond) // a donor's poll, quicker than the agent's
	defer tick.Stop()
	for {
		select {
		case code := <-done:
			*stdout = out.String()
			return code
		case <-tick.C:
			step()
		}
	}
}

func dirNames(entries []os.DirEntry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// TestFiredrillOnAStoppedHub: a drill needs no running serve; files no
// donor holds are reported unrecoverable; --end ID puts the archive's
// copies back.
func TestFiredrillOnAStoppedHub(t *testing.T) {
	testkit.RequireGitAnnex(t)
	collection := testkit.WriteFiles(t, drillFiles)
	data := filepath.Join(t.TempDir(), "data")
	if _, errOut, code := run(t, "build", "--from-dir", collection, "--base-url", "http://127.0.0.1:1/origin", "--out", data); code != 0 {
		t.Fatal(errOut)
	}
	if _, errOut, code := run(t, "firedrill", "--data", data, "--shard", "shard-0001", "--count", "2"); code != 1 || !strings.Contains(errOut, "no donor holds a file") {
		t.Errorf("--count with no donors: %d %q", code, errOut)
	}
	if _, errOut, code := run(t, "firedrill", "--data", data, "--shard", "shard-0001", "--path", "nope.txt"); code != 1 || !strings.Contains(errOut, "has no file nope.txt") {
		t.Errorf("an unknown path: %d %q", code, errOut)
	}
	out, errOut, code := run(t, "firedrill", "--data", data, "--shard", "shard-0001", "--path", "a.txt", "b/c.txt")
	id := strings.TrimSpace(out)
	if code != 0 || !strings.Contains(errOut, "2 files of shard-0001") {
		t.Fatalf("firedrill: %d %q %q", code, out, errOut)
	}
	rep := drillStatus(t, data)
	for _, f := range rep.Drills[0].Files {
		if f.State != "unrecoverable" {
			t.Errorf("%s: %s, want unrecoverable (no donor holds it)", f.Path, f.State)
		}
		if webLine(t, data, f.Key) != '0' {
			t.Errorf("%s: not marked lost", f.Path)
		}
	}
	if out, errOut, code := run(t, "firedrill", "--data", data, "--end", id); code != 0 || !strings.Contains(out, id+" ended") {
		t.Fatalf("--end %s: %d %q %q", id, code, out, errOut)
	}
	for _, f := range rep.Drills[0].Files {
		if webLine(t, data, f.Key) != '1' {
			t.Errorf("%s: not marked present after --end", f.Path)
		}
	}
}
