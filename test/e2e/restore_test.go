package e2e

import (
	"bytes"
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

type donorConf struct {
	Hub       string `json:"hub"`
	DonorUUID string `json:"donor_uuid"`
	Token     string `json:"token"`
}

func readDonor(t *testing.T, home string) donorConf {
	t.Helper()
	var c donorConf
	data, err := os.ReadFile(filepath.Join(home, "config.json"))
	if err == nil {
		err = json.Unmarshal(data, &c)
	}
	if err != nil {
		t.Fatalf("read the donor's config in %s: %v", home, err)
	}
	return c
}

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
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || st.Restore == nil {
		t.Fatalf("status --json has no restore object (%v):\n%s", err, r.stdout)
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
	if err := json.Unmarshal([]byte(r.stdout), &ds); err != nil {
		t.Fatalf("firedrill --status --json: %v\n%s", err, r.stdout)
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

	// Donor 0 sends wrong bytes (of the right size) for one file it is
	// asked for: refused as not matching the key.
	bad := readDonor(t, homes[0])
	asked := donorRequests(t, bad)
	if len(asked) == 0 {
		t.Fatal("the hub asks donor 0 for nothing")
	}
	badKey := asked[0]["key"].(string)
	size := keySize(t, badKey)
	code, msg := putBytes(t, bad, "shard-0001", badKey, bytes.Repeat([]byte("x"), int(size)))
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("wrong bytes: %d %s, want 422", code, msg)
	}

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
