package restore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// RestoreOptions configure Hub.Restore.
type RestoreOptions struct {
	Shard string
	To    string // the directory files are written into, at their shard paths
	All   bool   // every file, not only those the archive lost
	// Wait is how long to go on without any file coming back before
	// giving up (the files still missing are reported; run again later).
	Wait time.Duration
	Poll time.Duration // how often to look for verified uploads; 1s when 0
	// Progress is called after every poll (and once at the start).
	Progress func(Progress)
}

// Progress is where a restore stands.
type Progress struct {
	Files, FilesDone int
	Bytes, BytesDone int64
	Rate             float64       // bytes a second written this run
	ETA              time.Duration // 0 when unknown
	Waiting          int           // keys still asked of donors
}

// Missing is a file no donor sent back (yet).
type Missing struct {
	File
	Donors []string // the donors whose location logs last said they hold it
}

// RestoreResult is the report at the end.
type RestoreResult struct {
	Restored      []File // written this run
	AlreadyThere  []File // found complete in the directory (an earlier run)
	Missing       []Missing
	Unrecoverable []File // no donor copy
	Stopped       bool   // interrupted, or gave up after Wait
}

// Complete reports whether every file is in the directory.
func (r RestoreResult) Complete() bool { return len(r.Missing) == 0 && len(r.Unrecoverable) == 0 }

// Restore writes the files of a shard the archive lost (every file with
// All) into opts.To at their paths, byte-exact: files already complete
// there are kept, files the restore area holds are copied from it, and
// for the rest restore requests are opened, which a running shardhub serve
// on the same data hands to the donors holding them; their verified
// uploads are copied as they arrive. Stopped and run again, it continues.
func (h Hub) Restore(ctx context.Context, o RestoreOptions) (RestoreResult, error) {
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	files, where, err := h.read(ctx, o.Shard)
	if err != nil {
		return RestoreResult{}, err
	}
	if err := os.MkdirAll(o.To, 0o755); err != nil {
		return RestoreResult{}, fmt.Errorf("create %s: %w", o.To, err)
	}
	root, err := os.OpenRoot(o.To)
	if err != nil {
		return RestoreResult{}, fmt.Errorf("open %s: %w", o.To, err)
	}
	defer root.Close()
	job := &restoreJob{h: h, o: o, root: root, area: AreaOf(h.DataDir), byKey: map[annex.Key][]File{}}
	for _, f := range files {
		if o.All || !where.ArchiveHas(f.Key) {
			if err := job.add(f); err != nil {
				return RestoreResult{}, err
			}
		}
	}
	if len(job.byKey) == 0 {
		return job.res, nil // nothing lost, or all there from an earlier run
	}
	if err := job.ask(ctx, where); err != nil {
		return RestoreResult{}, err
	}
	if len(job.byKey) == 0 {
		return job.finish(), nil
	}
	return job.wait(ctx)
}

type restoreJob struct {
	h     Hub
	o     RestoreOptions
	root  *os.Root
	area  Area
	byKey map[annex.Key][]File // still to write
	res   RestoreResult
	prog  Progress
	reqs  []store.Request
}

// add counts a file, and keeps it to write unless the directory has it
// complete already.
func (j *restoreJob) add(f File) error {
	if !filepath.IsLocal(filepath.FromSlash(f.Path)) {
		return fmt.Errorf("the shard's path %q would leave %s: refusing to restore it", f.Path, j.o.To)
	}
	j.prog.Files++
	j.prog.Bytes += f.Size
	if complete(j.root, f) {
		j.prog.FilesDone++
		j.prog.BytesDone += f.Size
		j.res.AlreadyThere = append(j.res.AlreadyThere, f)
		return nil
	}
	j.byKey[f.Key] = append(j.byKey[f.Key], f)
	return nil
}

// ask copies what the restore area has and opens requests for the rest;
// keys no donor holds are unrecoverable.
func (j *restoreJob) ask(ctx context.Context, where Where) error {
	var want []store.Request
	for _, k := range sortedFileKeys(j.byKey) {
		if j.area.Has(j.o.Shard, k) {
			if err := j.write(k); err != nil {
				return err
			}
			continue
		}
		if len(where.Holders(k)) == 0 {
			j.res.Unrecoverable = append(j.res.Unrecoverable, j.byKey[k]...)
			delete(j.byKey, k)
			continue
		}
		f := j.byKey[k][0]
		want = append(want, store.Request{Shard: j.o.Shard, Key: string(k), Path: f.Path, Size: f.Size})
	}
	if len(want) == 0 {
		return nil
	}
	now := j.h.now()
	if _, err := EnsureRemote(ctx, j.h.Repo(j.o.Shard), j.h.DB, j.o.Shard, now); err != nil {
		return err
	}
	var err error
	j.reqs, err = j.h.DB.OpenRequests(want, now)
	return err
}

// wait copies verified uploads as they arrive, until every file is
// written, ctx ends, or nothing came for o.Wait.
func (j *restoreJob) wait(ctx context.Context) (RestoreResult, error) {
	start, last := time.Now(), time.Now()
	startBytes := j.prog.BytesDone
	tick := time.NewTicker(j.o.Poll)
	defer tick.Stop()
	for {
		for _, k := range sortedFileKeys(j.byKey) {
			if j.area.Has(j.o.Shard, k) {
				if err := j.write(k); err != nil {
					return j.res, err
				}
				last = time.Now()
			}
		}
		j.prog.Waiting = len(j.byKey)
		if el := time.Since(start).Seconds(); el > 0 {
			j.prog.Rate = float64(j.prog.BytesDone-startBytes) / el
		}
		j.prog.ETA = 0
		if j.prog.Rate > 0 {
			j.prog.ETA = time.Duration(float64(j.prog.Bytes-j.prog.BytesDone) / j.prog.Rate * float64(time.Second))
		}
		if j.o.Progress != nil {
			j.o.Progress(j.prog)
		}
		if len(j.byKey) == 0 {
			break
		}
		if j.o.Wait > 0 && time.Since(last) >= j.o.Wait {
			j.res.Stopped = true
			break
		}
		select {
		case <-ctx.Done():
			j.res.Stopped = true
			return j.finish(), nil
		case <-tick.C:
		}
	}
	return j.finish(), nil
}

// finish lists what is missing and closes the requests that were
// fulfilled (and are in no running drill).
func (j *restoreJob) finish() RestoreResult {
	where, err := ReadWhere(context.Background(), j.h.Repo(j.o.Shard), j.h.DB)
	for _, k := range sortedFileKeys(j.byKey) {
		for _, f := range j.byKey[k] {
			m := Missing{File: f}
			if err == nil {
				m.Donors = where.Holders(k)
			}
			j.res.Missing = append(j.res.Missing, m)
		}
	}
	var done []string
	for _, r := range j.reqs {
		if _, pending := j.byKey[annex.Key(r.Key)]; !pending && !j.h.inRunningDrill(r.ID) {
			done = append(done, r.ID)
		}
	}
	j.h.DB.CloseRequests(done, j.h.now())
	byPath := func(a, b File) int { return strings.Compare(a.Path, b.Path) }
	slices.SortFunc(j.res.Unrecoverable, byPath)
	slices.SortFunc(j.res.Restored, byPath)
	slices.SortFunc(j.res.Missing, func(a, b Missing) int { return byPath(a.File, b.File) })
	return j.res
}

// write copies a verified key from the restore area to each of its paths.
func (j *restoreJob) write(k annex.Key) error {
	for _, f := range j.byKey[k] {
		if err := copyInto(j.root, j.area.Object(j.o.Shard, k), f.Path); err != nil {
			return fmt.Errorf("write %s: %w", f.Path, err)
		}
		j.res.Restored = append(j.res.Restored, f)
		j.prog.FilesDone++
		j.prog.BytesDone += f.Size
	}
	delete(j.byKey, k)
	return nil
}

// copyInto writes src to name inside root: a temporary file beside it,
// synced, then renamed, so a stopped restore never leaves half a file
// under the real name.
func copyInto(root *os.Root, src, name string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if dir := path.Dir(name); dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	var rnd [6]byte
	rand.Read(rnd[:])
	tmp := path.Join(path.Dir(name), ".shardhub-restore-"+hex.EncodeToString(rnd[:]))
	out, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = root.Rename(tmp, name)
	}
	if err != nil {
		root.Remove(tmp)
	}
	return err
}

// complete reports whether name in root already holds f's bytes (its size
// and its key's checksum).
func complete(root *os.Root, f File) bool {
	st, err := root.Stat(f.Path)
	if err != nil || !st.Mode().IsRegular() || st.Size() != f.Size {
		return false
	}
	in, err := root.Open(f.Path)
	if err != nil {
		return false
	}
	defer in.Close()
	h := newHash(f.Key)
	if h == nil {
		return false
	}
	if _, err := io.Copy(h, in); err != nil {
		return false
	}
	return hex.EncodeToString(h.Sum(nil)) == f.Key.Digest()
}

func sortedFileKeys(m map[annex.Key][]File) []annex.Key {
	keys := make([]annex.Key, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}
