package e2e

import (
	"bytes"
	"crypto/md5"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

// The restore tests: donors send files back to the real hub through
// git-annex and the external special remote (shardkeeper run as
// git-annex-remote-shardkeeper), for fire drills and a real restore.

type drillStatus struct {
	Drills []struct {
		ID         string `json:"id"`
		Shard      string `json:"shard"`
		Requested  int    `json:"requested"`
		Uploaded   int    `json:"uploaded"`
		Verified   int    `json:"verified"`
		Rejected   int    `json:"rejected"`
		Reinjected int    `json:"reinjected"`
		Files      []struct {
			Path  string `json:"path"`
			Key   string `json:"key"`
			State string `json:"state"`
			Donor string `json:"donor"`
		} `json:"files"`
	} `json:"drills"`
}

// donorConf is what the tests read of a donor's config.json.
type donorConf = testkit.DonorConf

var readDonor = testkit.ReadDonor

type restoreStatusJSON struct {
	Restore *struct {
		Requested     int64 `json:"requested"`
		Uploaded      int64 `json:"uploaded"`
		BytesUploaded int64 `json:"bytes_uploaded"`
	} `json:"restore"`
	Shards []struct {
		Path string `json:"path"`
	} `json:"shards"`
}

func restoreStatus(t *testing.T, home string) restoreStatusJSON {
	t.Helper()
	var st restoreStatusJSON
	r := mustRun(t, shardkeeperBin, "status", "--home", home, "--json")
	if err := json.Unmarshal([]byte(r.Stdout), &st); err != nil || st.Restore == nil {
		t.Fatalf("status --json has no restore object (%v):\n%s", err, r.Stdout)
	}
	return st
}

// restoreAgent runs a donor's agent until the test ends, asking the hub
// for restore requests every second.
func restoreAgent(t *testing.T, home string, args ...string) (stop func()) {
	t.Helper()
	return startAgent(t, home, append([]string{"--restore-poll", "1s"}, args...)...)
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(limit); ; time.Sleep(200 * time.Millisecond) {
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
	}
}

func drills(t *testing.T, data string) drillStatus {
	t.Helper()
	var ds drillStatus
	r := mustRun(t, shardhubBin, "firedrill", "--data", data, "--status", "--json")
	if err := json.Unmarshal([]byte(r.Stdout), &ds); err != nil {
		t.Fatalf("firedrill --status --json: %v\n%s", err, r.Stdout)
	}
	return ds
}

// threeDonors builds a collection of n files, serves it, and joins three
// donors with room for all of it; each runs once, so every file has three
// copies reported to the hub.
func threeDonors(t *testing.T, n int, seed int64) (tmp, coll, data, hub string, homes []string) {
	t.Helper()
	requireGitAnnex(t)
	tmp = t.TempDir()
	coll = filepath.Join(tmp, "collection")
	total := makeCollection(t, coll, n, seed)
	data = filepath.Join(tmp, "hub")
	mustRun(t, shardhubBin, "build", "--from-dir", coll, "--base-url", serveOrigin(t, coll), "--out", data)
	hub = startHub(t, data)
	for i := 0; i < 3; i++ {
		home := filepath.Join(tmp, fmt.Sprintf("home-%d", i))
		mustRun(t, shardkeeperBin, "join", "--home", home, "--hub", hub, "--storage", filepath.Join(tmp, fmt.Sprintf("store-%d", i)),
			"--budget", strconv.FormatInt(total*3, 10))
		mustRun(t, shardkeeperBin, "agent", "--home", home, "--until-idle")
		homes = append(homes, home)
	}
	return tmp, coll, data, hub, homes
}

// donorRequests is the hand-made GET of a donor's open restore requests.
func donorRequests(t *testing.T, d donorConf) []map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, d.Hub+"/api/v1/donors/"+d.DonorUUID+"/restores", nil)
	req.Header.Set("Authorization", "Bearer "+d.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Requests []map[string]any `json:"requests"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET restores: %d %v", resp.StatusCode, err)
	}
	return out.Requests
}

// putBytes is a hand-made upload with a donor's token.
func putBytes(t *testing.T, d donorConf, shard, key string, body []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, d.Hub+"/api/v1/donors/"+d.DonorUUID+"/restores/"+shard+"/"+key, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+d.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(msg)
}

// locationLog reads a key's location log on a ref of the hub's bare shard
// repository.
func locationLog(t *testing.T, data, ref, key string) string {
	t.Helper()
	path := annex.HashDirLower(annex.Key(key)) + annex.EscapeKeyFile(annex.Key(key)) + ".log"
	out, _ := exec.Command("git", "-C", filepath.Join(data, "shards", "shard-0001.git"), "show", ref+":"+path).Output()
	return string(out)
}

// presentNow reads whether uuid's newest line in a location log says present.
func presentNow(log, uuid string) bool {
	var ts float64
	present := false
	for _, line := range strings.Split(log, "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || f[2] != uuid {
			continue
		}
		t, _ := strconv.ParseFloat(strings.TrimSuffix(f[0], "s"), 64)
		if t >= ts {
			ts, present = t, f[1] == "1"
		}
	}
	return present
}

const webUUID = "00000000-0000-0000-0000-000000000001"

// TestFireDrillThreeDonors is issue 9's first acceptance test: 3 donors
// hold a shard; a drill on 20 files; one donor's wrong bytes for one file
// are refused and the file comes from another donor; all 20 come back
// byte-exact and verified; --end marks the archive's copies present again.
func TestFireDrillThreeDonors(t *testing.T) {
	_, coll, data, _, homes := threeDonors(t, 30, 11)
	mustRun(t, shardhubBin, "firedrill", "--data", data, "--shard", "shard-0001", "--count", "20")
	ds := drills(t, data)
	if len(ds.Drills) != 1 || ds.Drills[0].Requested != 20 || len(ds.Drills[0].Files) != 20 {
		t.Fatalf("after the drill started: %+v", ds)
	}
	pathOf := map[string]string{}
	for _, f := range ds.Drills[0].Files {
		pathOf[f.Key] = f.Path
		if presentNow(locationLog(t, data, "git-annex", f.Key), webUUID) {
			t.Errorf("%s: the archive's copy is not marked lost during the drill", f.Path)
		}
	}

	bad := readDonor(t, homes[0])
	badKey := sendWrongBytes(t, bad)
	for _, h := range homes {
		restoreAgent(t, h)
	}
	waitFor(t, "20 verified files", 3*time.Minute, func() bool {
		d := drills(t, data).Drills[0]
		return d.Verified == 20
	})
	d := drills(t, data).Drills[0]
	if d.Rejected < 1 {
		t.Errorf("drill status counts %d rejected uploads, want the wrong bytes counted", d.Rejected)
	}
	for _, f := range d.Files {
		if f.Key == badKey && f.Donor == bad.DonorUUID {
			t.Errorf("%s was taken from the donor that sent wrong bytes", f.Path)
		}
	}
	// Byte-exact: the restore area's copy of each file is the source file.
	for key, path := range pathOf {
		got, err := os.ReadFile(filepath.Join(data, "restore", "shard-0001", "annex", "objects",
			annex.HashDirLower(annex.Key(key)), key, key))
		want, _ := os.ReadFile(filepath.Join(coll, filepath.FromSlash(path)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: restored copy differs from the source (%v)", path, err)
		}
	}
	// Each donor counted its accepted uploads, and pushed its location log
	// with the restore remote's present line for them.
	var uploaded, bytesUp int64
	var want int64
	for key := range pathOf {
		want += keySize(t, key)
	}
	waitFor(t, "the donors' status to count 20 uploads", time.Minute, func() bool {
		uploaded, bytesUp = 0, 0
		for _, h := range homes {
			r := restoreStatus(t, h).Restore
			uploaded += r.Uploaded
			bytesUp += r.BytesUploaded
		}
		return uploaded == 20
	})
	if bytesUp != want {
		t.Errorf("donors' status counts %d bytes uploaded, the 20 files hold %d", bytesUp, want)
	}
	checkDonorRefs(t, data, homes, pathOf)

	mustRun(t, shardhubBin, "firedrill", "--data", data, "--end")
	for key, path := range pathOf {
		if !presentNow(locationLog(t, data, "git-annex", key), webUUID) {
			t.Errorf("%s: after --end the archive's copy is not present again", path)
		}
	}
}

// sendWrongBytes makes a donor send wrong bytes (of the right size) for one
// file it is asked for, by hand with its token: the hub must refuse them as
// not matching the key.
func sendWrongBytes(t *testing.T, d donorConf) string {
	t.Helper()
	asked := donorRequests(t, d)
	if len(asked) == 0 {
		t.Fatal("the hub asks the donor for nothing")
	}
	key := asked[0]["key"].(string)
	code, msg := putBytes(t, d, "shard-0001", key, bytes.Repeat([]byte("x"), int(keySize(t, key))))
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("wrong bytes: %d %s, want 422", code, msg)
	}
	return key
}

// checkDonorRefs: every drilled key is recorded, on the uploading donor's
// ref at the hub, as present at some UUID other than the donors' own and
// the web: the shard's restore remote, through git-annex's own tracking.
func checkDonorRefs(t *testing.T, data string, homes []string, pathOf map[string]string) {
	t.Helper()
	waitFor(t, "the donors' pushes of the restore remote's copies", time.Minute, func() bool {
		for key := range pathOf {
			found := false
			for _, h := range homes {
				d := readDonor(t, h)
				log := locationLog(t, data, "refs/heads/donors/"+d.DonorUUID+"/git-annex", key)
				for _, line := range strings.Split(log, "\n") {
					f := strings.Fields(line)
					if len(f) == 3 && f[1] == "1" && f[2] != webUUID && !isDonor(t, homes, f[2]) {
						found = true
					}
				}
			}
			if !found {
				return false
			}
		}
		return true
	})
}

func isDonor(t *testing.T, homes []string, uuid string) bool {
	for _, h := range homes {
		if readDonor(t, h).DonorUUID == uuid {
			return true
		}
	}
	return false
}

// TestRestoreToDirFromDonors is issue 9's second acceptance test: the
// donors jointly hold a shard but one file, which nobody could fetch;
// `shardhub restore --all --to DIR` is stopped half-way, run again, and
// then DIR holds the source tree byte-exact but that file, the report
// names it, the exit status is 3, and no file was uploaded twice.
func TestRestoreToDirFromDonors(t *testing.T) {
	requireGitAnnex(t)
	tmp := t.TempDir()
	coll := filepath.Join(tmp, "collection")
	total := makeCollection(t, coll, 24, 21)
	data := filepath.Join(tmp, "hub")
	mustRun(t, shardhubBin, "build", "--from-dir", coll, "--base-url", serveOrigin(t, coll), "--out", data)
	// One file leaves the origin before any donor fetched it: nobody holds it.
	lost := filepath.Join("item-01", "file 013.bin")
	if err := os.Rename(filepath.Join(coll, lost), filepath.Join(tmp, "lost.bin")); err != nil {
		t.Fatal(err)
	}
	hub := startHub(t, data)
	var homes []string
	held := map[string]bool{}
	for i := 0; i < 3; i++ {
		home := filepath.Join(tmp, fmt.Sprintf("home-%d", i))
		mustRun(t, shardkeeperBin, "join", "--home", home, "--hub", hub, "--storage", filepath.Join(tmp, fmt.Sprintf("store-%d", i)),
			"--budget", strconv.FormatInt(total*7/10, 10))
		mustRun(t, shardkeeperBin, "agent", "--home", home, "--until-idle")
		for _, k := range heldKeys(t, restoreStatus(t, home).Shards[0].Path) {
			held[k] = true
		}
		// Slow uploads (8 KB/s) so that the restore can be stopped half-way.
		mustRun(t, shardkeeperBin, "settings", "--home", home, "--bandwidth", "8")
		homes = append(homes, home)
	}
	if len(held) != 23 {
		t.Fatalf("the donors jointly hold %d of the 23 files the origin still has: the test needs all", len(held))
	}
	for _, h := range homes {
		restoreAgent(t, h)
	}
	out := filepath.Join(tmp, "restored")
	first := exec.Command(shardhubBin, "restore", "--data", data, "--shard", "shard-0001", "--to", out, "--all", "--wait", "2m")
	var firstOut bytes.Buffer
	first.Stdout, first.Stderr = &firstOut, &firstOut
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first files in "+out, 2*time.Minute, func() bool { return countFiles(out) >= 3 })
	first.Process.Signal(os.Interrupt)
	first.Wait()
	if n := countFiles(out); n >= 23 {
		t.Fatalf("the first run restored all %d files before it was stopped: nothing left to continue", n)
	}

	r := run(t, shardhubBin, "restore", "--data", data, "--shard", "shard-0001", "--to", out, "--all", "--wait", "2m")
	if r.Code != 3 {
		t.Fatalf("restore with a file no donor holds: exit %d, want 3\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	report := r.Stdout + r.Stderr
	if !strings.Contains(report, filepath.ToSlash(lost)) || !strings.Contains(report, "unrecoverable") {
		t.Errorf("the report does not name %s as unrecoverable:\n%s", lost, report)
	}
	if !strings.Contains(report, "from an earlier run") {
		t.Errorf("the second run does not say it kept the first run's files:\n%s", report)
	}
	compareTrees(t, coll, out)
	if _, err := os.Stat(filepath.Join(out, lost)); err == nil {
		t.Errorf("%s was written though no donor holds it", lost)
	}
	// Without fetching twice: the donors uploaded each file once.
	var uploaded int64
	for _, h := range homes {
		uploaded += restoreStatus(t, h).Restore.Uploaded
	}
	if uploaded != 23 {
		t.Errorf("donors uploaded %d times for 23 files", uploaded)
	}
}

// countFiles counts the regular files under dir.
func countFiles(dir string) int {
	n := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return nil
	})
	return n
}

// compareTrees checks, file by file, that every file of src is in dst
// with the same bytes, and dst holds nothing else.
func compareTrees(t *testing.T, src, dst string) {
	t.Helper()
	want := map[string][]byte{}
	filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(src, p)
			want[rel], _ = os.ReadFile(p)
		}
		return nil
	})
	got := 0
	filepath.WalkDir(dst, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		got++
		rel, _ := filepath.Rel(dst, p)
		b, _ := os.ReadFile(p)
		if w, ok := want[rel]; !ok {
			t.Errorf("restored %s, which is not in the source", rel)
		} else if !bytes.Equal(b, w) {
			t.Errorf("%s differs from the source (%d bytes, want %d)", rel, len(b), len(w))
		}
		return nil
	})
	if got != len(want) {
		t.Errorf("restored %d files, the source has %d", got, len(want))
	}
}

// TestMD5DrillNeedsTwoDonors is issue 9's third acceptance test: in an
// MD5-only shard a drilled file is verified only once two donors' bytes
// agree; a file only one donor holds is verified as a single MD5 source.
func TestMD5DrillNeedsTwoDonors(t *testing.T) {
	requireGitAnnex(t)
	tmp := t.TempDir()
	coll := filepath.Join(tmp, "collection")
	table := "id\tmd5\tsize\textension\n"
	for id := 1; id <= 4; id++ {
		body := bytes.Repeat([]byte(fmt.Sprintf("file %d of the md5 collection\n", id)), 100*id)
		p := filepath.Join(coll, "repository", "0", fmt.Sprintf("%d.bin", id))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
		table += fmt.Sprintf("%d\t%x\t%d\tbin\n", id, md5sum(body), len(body))
	}
	tsv := filepath.Join(tmp, "table.tsv")
	os.WriteFile(tsv, []byte(table), 0o644)
	data := filepath.Join(tmp, "hub")
	mustRun(t, shardhubBin, "build", "--md5-table", tsv, "--url-template", serveOrigin(t, coll)+"/repository/{dir}/{id}.{ext}", "--out", data)
	hub := startHub(t, data)
	var homes []string
	for i := 0; i < 2; i++ {
		home := filepath.Join(tmp, fmt.Sprintf("home-%d", i))
		mustRun(t, shardkeeperBin, "join", "--home", home, "--hub", hub, "--storage", filepath.Join(tmp, fmt.Sprintf("store-%d", i)), "--budget", "10MB")
		mustRun(t, shardkeeperBin, "agent", "--home", home, "--until-idle")
		homes = append(homes, home)
	}
	// Donor 1 gives file 4 back: only donor 0 holds it now.
	mustRun(t, shardkeeperBin, "release", "--home", homes[1], "repository/0/4.bin")
	mustRun(t, shardkeeperBin, "agent", "--home", homes[1], "--until-idle")

	mustRun(t, shardhubBin, "firedrill", "--data", data, "--shard", "shard-0001", "--path", "repository/0/1.bin", "--path", "repository/0/4.bin")
	state := func(path string) (string, string) {
		for _, f := range drills(t, data).Drills[0].Files {
			if f.Path == path {
				return f.State, f.Donor
			}
		}
		t.Fatalf("%s is not in the drill", path)
		return "", ""
	}
	// Donor 0 alone: file 1 waits for a second donor; file 4, which only
	// donor 0 holds, is verified as a single MD5 source.
	mustRun(t, shardkeeperBin, "agent", "--home", homes[0], "--until-idle")
	if s, _ := state("repository/0/1.bin"); s != "uploaded" {
		t.Errorf("file 1 after one donor's upload: %q, want uploaded (not verified before a second donor agrees)", s)
	}
	if s, _ := state("repository/0/4.bin"); s != "verified" && s != "reinjected" {
		t.Errorf("file 4 (one holder): %q, want verified as a single MD5 source", s)
	}
	mustRun(t, shardkeeperBin, "agent", "--home", homes[1], "--until-idle")
	if s, _ := state("repository/0/1.bin"); s != "verified" && s != "reinjected" {
		t.Errorf("file 1 after the second donor's upload agreed: %q, want verified", s)
	}
	text := mustRun(t, shardhubBin, "firedrill", "--data", data, "--status").Stdout
	if !strings.Contains(text, "single MD5 source") {
		t.Errorf("firedrill --status does not mark file 4 single-source:\n%s", text)
	}
	if d := drills(t, data).Drills[0]; d.Verified != 2 {
		t.Errorf("drill counts %d verified, want 2", d.Verified)
	}
}

func md5sum(b []byte) [16]byte { return md5.Sum(b) }

// TestHandCopyToRestoreRemote: the special remote works for a person too.
// With the remote in .git/config only and shardkeeper on PATH as
// git-annex-remote-shardkeeper, `git annex copy --key KEY --to
// shardhub-restore` uploads a drilled file to the real hub, which verifies
// it, and git-annex records the location line for the restore remote.
func TestHandCopyToRestoreRemote(t *testing.T) {
	requireGitAnnex(t)
	tmp := t.TempDir()
	coll := filepath.Join(tmp, "collection")
	makeCollection(t, coll, 3, 31)
	data := filepath.Join(tmp, "hub")
	mustRun(t, shardhubBin, "build", "--from-dir", coll, "--base-url", serveOrigin(t, coll), "--out", data)
	hub := startHub(t, data)
	home := filepath.Join(tmp, "home")
	mustRun(t, shardkeeperBin, "join", "--home", home, "--hub", hub, "--storage", filepath.Join(tmp, "store"), "--budget", "10MB")
	mustRun(t, shardkeeperBin, "agent", "--home", home, "--until-idle")
	mustRun(t, shardhubBin, "firedrill", "--data", data, "--shard", "shard-0001", "--count", "1")
	d := readDonor(t, home)
	req, _ := http.NewRequest(http.MethodGet, hub+"/api/v1/donors/"+d.DonorUUID+"/restores", nil)
	req.Header.Set("Authorization", "Bearer "+d.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Remotes  map[string]string      `json:"remote_uuid_by_shard"`
		Requests []struct{ Key string } `json:"requests"`
	}
	json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	r := list.Remotes["shard-0001"]
	if r == "" || len(list.Requests) != 1 {
		t.Fatalf("restores of the donor: %+v", list)
	}
	repo := restoreStatus(t, home).Shards[0].Path
	bin := filepath.Join(tmp, "bin")
	os.MkdirAll(bin, 0o755)
	if err := os.Symlink(shardkeeperBin, filepath.Join(bin, "git-annex-remote-shardkeeper")); err != nil {
		t.Fatal(err)
	}
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "SHARDKEEPER_HOME="+home)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	git("config", "remote.shardhub-restore.annex-externaltype", "shardkeeper")
	git("config", "remote.shardhub-restore.annex-uuid", r)
	key := list.Requests[0].Key
	out := git("annex", "copy", "--key", key, "--to", "shardhub-restore")
	git("annex", "readpresentkey", key, r) // exits 0 only when the line says present
	if ds := drills(t, data).Drills[0]; ds.Verified != 1 {
		t.Errorf("the hub verified %d files after the hand-made copy, want 1\n%s", ds.Verified, out)
	}
}
