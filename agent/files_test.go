package agent

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/ledger"
)

// TestFilesListVerifyAndCorruption: the file list pages and filters; a
// verification checks every held file, and one corrupted on disk is found
// and reported.
func TestFilesListVerifyAndCorruption(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 25, func(i int) int { return 2<<10 + i*100 })
	perFile := ledger.Reserve(5<<10, 4096)
	h := w.join("donor", 10*perFile)
	a := newAgent(t, h, Options{})
	ev := collectEvents(t, a)
	ctx := context.Background()
	if err := a.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	all, err := a.Files(ctx, control.FileQuery{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if all.Total != 25 || len(all.Files) != 10 || all.Files[0].Path != "item-00/file-000.bin" {
		t.Fatalf("first page: total %d, %d files, first %+v", all.Total, len(all.Files), all.Files[0])
	}
	page3, _ := a.Files(ctx, control.FileQuery{Limit: 10, Offset: 20})
	if len(page3.Files) != 5 || page3.Files[4].Path != "item-02/file-024.bin" {
		t.Errorf("last page: %+v", page3.Files)
	}
	held, _ := a.Files(ctx, control.FileQuery{HeldOnly: true, Limit: 100})
	st, _ := a.Status(ctx)
	if int64(held.Total) != st.FilesProtected || held.Total == 0 {
		t.Errorf("%d held files listed, status says %d", held.Total, st.FilesProtected)
	}
	for _, f := range held.Files {
		if !f.Held || f.Copies < 1 || f.LocalPath == "" {
			t.Errorf("held file %+v", f)
		}
		if data, err := os.ReadFile(f.LocalPath); err != nil || int64(len(data)) != f.Size {
			t.Errorf("cannot open %s: %v", f.LocalPath, err)
		}
	}
	item1, _ := a.Files(ctx, control.FileQuery{Filter: "ITEM-01/", Limit: 100})
	if item1.Total != 10 {
		t.Errorf("filter ITEM-01/: %d files, want 10", item1.Total)
	}

	// Verify everything: all good.
	if err := a.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	a.verifier.Wait()
	st, _ = a.Status(ctx)
	if st.Verifying != nil || len(st.Locations) != 1 || st.Locations[0].LastVerified == nil || st.Locations[0].NextVerification == nil {
		t.Fatalf("after verifying: %+v %+v", st.Verifying, st.Locations)
	}
	waitFor(t, 5*time.Second, "the end of the verification", func() bool {
		msgs := ev.of(control.EventVerify)
		return len(msgs) >= 2 && strings.Contains(msgs[len(msgs)-1].Message, "all good")
	})

	// Corrupt one held file: the next verification finds it.
	bad := held.Files[0]
	obj := ledger.ObjectPath(a.cfg.Shards[0].Path, keyOfPath(t, a.cfg.Shards[0].Path, bad.Path))
	os.Chmod(filepath.Dir(obj), 0o755)
	os.Chmod(obj, 0o644)
	if err := os.WriteFile(obj, make([]byte, bad.Size), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := a.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	a.verifier.Wait()
	waitFor(t, 5*time.Second, "the report of "+bad.Path, func() bool {
		for _, e := range ev.of(control.EventError) {
			if strings.Contains(e.Message, "Verification failed for "+bad.Path) {
				return true
			}
		}
		return false
	})
	if _, still := ledger.OnDisk(a.cfg.Shards[0].Path, keyOfPath(t, a.cfg.Shards[0].Path, bad.Path)); still {
		t.Errorf("the corrupted object is still in place")
	}
}
