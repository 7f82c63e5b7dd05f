//go:build faults

package faults

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// mountTmpfs mounts a tmpfs of size at dir until the test ends.
func mountTmpfs(t *testing.T, dir, size string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("skipped: cannot mount a tmpfs (%v: %s); this test needs a machine where root may mount", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
}

func remount(t *testing.T, dir, size string) {
	t.Helper()
	if out, err := exec.Command("mount", "-o", "remount,size="+size, dir).CombinedOutput(); err != nil {
		t.Fatalf("remount %s: %v %s", dir, err, out)
	}
}

// TestDonorDiskFull: the storage folder is on a filesystem far smaller
// than the budget. The agent stops at the real limit and says why, keeps
// no half-written object counted, and resumes when space returns.
func TestDonorDiskFull(t *testing.T) {
	t.Parallel()
	requireRoot(t, "a small tmpfs for the storage folder")
	w := newWorld(t, 40, 64<<10, nil)
	mnt := filepath.Join(w.dir, "small-disk")
	mountTmpfs(t, mnt, "3m")
	d := donor{home: filepath.Join(w.dir, "home"), storage: filepath.Join(mnt, "storage")}
	mustRun(t, shardkeeperBin, "join", "--home", d.home, "--hub", w.hub.url, "--storage", d.storage, "--budget", "100MB")
	// Fill the rest of the disk behind the agent's back, as other programs do.
	filler := filepath.Join(mnt, "filler")
	exec.Command("dd", "if=/dev/zero", "of="+filler, "bs=64k", "count=8").Run()
	// No space kept free by the budget: the real limit is the disk's.
	mustRun(t, shardkeeperBin, "budget", "--home", d.home, "--keep-free", "0", "--yes")
	out := run(t, shardkeeperBin, "agent", "--home", d.home, "--until-idle")
	st, raw := status(t, d)
	keys := repoClean(t, d)
	t.Logf("disk full: %d files held; status message %q", len(keys), st.Message)
	if len(keys) >= len(w.paths) || len(keys) == 0 {
		t.Fatalf("held %d files of %d on a disk with room for some:\n%s", len(keys), len(w.paths), raw)
	}
	msg := strings.ToLower(st.Message + out.Stderr)
	if !strings.Contains(msg, "space") && !strings.Contains(msg, "full") {
		t.Errorf("the agent does not say the disk is full: %q", st.Message)
	}
	if len(partials(st.Shards[0].Path)) > 0 {
		t.Logf("partial downloads left (not counted): %v", partials(st.Shards[0].Path))
	}
	// Space returns.
	os.Remove(filler)
	remount(t, mnt, "8m")
	mustRun(t, shardkeeperBin, "agent", "--home", d.home, "--until-idle")
	after := repoClean(t, d)
	if len(after) <= len(keys) {
		t.Errorf("with space back the agent holds %d files, as before (%d)", len(after), len(keys))
	}
}

// TestHubDiskFull: the hub's data directory fills up during a push. The
// push fails; what the hub accepted before stays; after space returns
// the shard passes git fsck and the donor's next push lands.
func TestHubDiskFull(t *testing.T) {
	t.Parallel()
	requireRoot(t, "a small tmpfs for the hub's data")
	testkitRequire(t)
	dir := t.TempDir()
	coll := filepath.Join(dir, "collection")
	paths := makeCollection(t, coll, 30, 8<<10, 7)
	o := &throttled{dir: coll}
	url := serve(t, o)
	mnt := filepath.Join(dir, "hubdisk")
	mountTmpfs(t, mnt, "64m")
	data := filepath.Join(mnt, "hub")
	mustRun(t, shardhubBin, "build", "--from-dir", coll, "--base-url", url, "--out", data)
	w := &world{dir: dir, coll: coll, data: data, paths: paths, hub: startHub(t, data)}
	a, b := w.join(t, "a", 10<<20), w.join(t, "b", 10<<20)
	mustRun(t, shardkeeperBin, "agent", "--home", a.home, "--until-idle")
	ua := readDonor(t, a).DonorUUID
	accepted := hubRefHas(t, w, ua)
	if accepted == 0 {
		t.Fatal("the first donor's push did not land")
	}
	repo := filepath.Join(data, "shards", "shard-0001.git")
	refA, _ := git(repo, "rev-parse", "refs/heads/donors/"+ua+"/git-annex")
	// Fill the hub's disk to the last block.
	filler := filepath.Join(mnt, "filler")
	exec.Command("dd", "if=/dev/zero", "of="+filler, "bs=4k").Run()
	res := run(t, shardkeeperBin, "agent", "--home", b.home, "--until-idle")
	st, _ := status(t, b)
	t.Logf("push with the hub's disk full: exit %d, hub problem %q", res.Code, st.HubProblem)
	ub := readDonor(t, b).DonorUUID
	if n := hubRefHas(t, w, ub); n != 0 {
		t.Logf("the second donor's push landed on a full disk (%d lines): git needed no new space", n)
	}
	if now, _ := git(repo, "rev-parse", "refs/heads/donors/"+ua+"/git-annex"); now != refA {
		t.Errorf("the first donor's accepted ref changed while the disk was full: %s -> %s", refA, now)
	}
	os.Remove(filler)
	if out, err := git(repo, "fsck", "--no-dangling"); err != nil {
		t.Errorf("git fsck after the hub's disk filled up: %v\n%s", err, out)
	}
	if n := hubRefHas(t, w, ua); n != accepted {
		t.Errorf("the hub lost accepted lines: %d, had %d", n, accepted)
	}
	// The hub still serves; the next push lands.
	mustRun(t, shardkeeperBin, "agent", "--home", b.home, "--until-idle")
	waitFor(t, "the second donor's report after space returned", 60*time.Second, func() bool {
		st, _ := status(t, b)
		return hubRefHas(t, w, ub) == int(st.FilesProtected) && st.FilesProtected > 0
	})
	if _, _, code := register(t, w.hub.url); code != 201 {
		t.Errorf("registration after the disk filled up: %d", code)
	}
	_ = fmt.Sprint
}
