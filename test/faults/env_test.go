//go:build faults

package faults

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestStorageOnVFAT: the storage folder is on a FAT filesystem (no
// symlinks, no Unix permissions), as a removable drive often is: a
// loop-mounted vfat image.
func TestStorageOnVFAT(t *testing.T) {
	t.Parallel()
	requireRoot(t, "a loop-mounted vfat image")
	if _, err := exec.LookPath("mkfs.vfat"); err != nil {
		t.Skip("skipped: mkfs.vfat not installed (apt-get install dosfstools; scripts/deps.sh installs it)")
	}
	w := newWorld(t, 10, 8<<10, nil)
	img := filepath.Join(w.dir, "usb.img")
	mnt := filepath.Join(w.dir, "usb")
	os.MkdirAll(mnt, 0o755)
	if out, err := exec.Command("truncate", "-s", "64M", img).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	if out, err := exec.Command("mkfs.vfat", img).CombinedOutput(); err != nil {
		t.Fatalf("mkfs.vfat: %v %s", err, out)
	}
	if out, err := exec.Command("mount", "-o", "loop", img, mnt).CombinedOutput(); err != nil {
		t.Skipf("skipped: cannot loop-mount (%v: %s)", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })
	d := donor{home: filepath.Join(w.dir, "home"), storage: filepath.Join(mnt, "Shardkeeper")}
	mustRun(t, shardkeeperBin, "join", "--home", d.home, "--hub", w.hub.url, "--storage", d.storage, "--budget", "10MB")
	mustRun(t, shardkeeperBin, "agent", "--home", d.home, "--until-idle")
	st, raw := status(t, d)
	if st.FilesProtected != int64(len(w.paths)) {
		t.Fatalf("on vfat the donor holds %d of %d files:\n%s", st.FilesProtected, len(w.paths), raw)
	}
	if out, err := git(st.Shards[0].Path, "annex", "fsck", "--all", "--in=here", "--quiet"); err != nil {
		t.Errorf("fsck on vfat: %v\n%s", err, out)
	}
	uuid := readDonor(t, d).DonorUUID
	if n := hubRefHas(t, w, uuid); n != len(w.paths) {
		t.Errorf("the hub has the donor's report for %d of %d files", n, len(w.paths))
	}
}

// TestPathsWithSpacesAndNonASCII: home and storage under names with
// spaces and non-ASCII letters.
func TestPathsWithSpacesAndNonASCII(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 8, 4<<10, nil)
	base := filepath.Join(w.dir, "Dönör's files", "日本語 ストレージ")
	d := donor{home: filepath.Join(base, "my home"), storage: filepath.Join(base, "Ünïcödé storage ✓")}
	mustRun(t, shardkeeperBin, "join", "--home", d.home, "--hub", w.hub.url, "--storage", d.storage, "--budget", "10MB")
	mustRun(t, shardkeeperBin, "agent", "--home", d.home, "--until-idle")
	keys := repoClean(t, d)
	if len(keys) != len(w.paths) {
		t.Errorf("holds %d of %d files under a path with spaces and non-ASCII", len(keys), len(w.paths))
	}
	if n := hubRefHas(t, w, readDonor(t, d).DonorUUID); n != len(w.paths) {
		t.Errorf("the hub has the report for %d of %d files", n, len(w.paths))
	}
}
