//go:build faults

package faults

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// faultyOrigin serves a collection, but answers some paths with a fault.
type faultyOrigin struct {
	dir    string
	faults map[string]string // path -> fault
	mu     sync.Mutex
	gets   map[string]int
	stop   chan struct{}
}

func (o *faultyOrigin) count(p string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.gets[p]
}

func (o *faultyOrigin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(r.URL.Path, "/")
	o.mu.Lock()
	o.gets[p]++
	fault := o.faults[p]
	o.mu.Unlock()
	data, err := os.ReadFile(filepath.Join(o.dir, filepath.FromSlash(p)))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	switch fault {
	case "404":
		http.NotFound(w, r)
	case "429":
		// Once: a busy archive that asks for a pause, then serves.
		o.mu.Lock()
		delete(o.faults, p)
		o.mu.Unlock()
		w.Header().Set("Retry-After", "2")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	case "500":
		http.Error(w, "boom", http.StatusInternalServerError)
	case "reset":
		w.Header().Set("Content-Length", strconvI(len(data)))
		w.WriteHeader(http.StatusOK)
		w.Write(data[:len(data)/3])
		w.(http.Flusher).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			if tc, ok := conn.(interface{ SetLinger(int) error }); ok {
				tc.SetLinger(0) // RST, not FIN
			}
			conn.Close()
		}
	case "stall":
		w.Header().Set("Content-Length", strconvI(len(data)))
		w.WriteHeader(http.StatusOK)
		w.Write(data[:len(data)/2])
		w.(http.Flusher).Flush()
		select {
		case <-o.stop:
		case <-r.Context().Done():
		}
	case "wrong":
		bad := append([]byte(nil), data...)
		bad[len(bad)/2] ^= 0xff
		w.Write(bad)
	case "loop":
		// To itself, with a new query each time: a loop that never ends.
		http.Redirect(w, r, r.URL.Path+"?again="+itoa(o.count(p)), http.StatusFound)
	case "":
		w.Write(data)
	}
}

func strconvI(n int) string { return itoa(n) }

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// TestOriginFaults: one file per fault of the archive's origin (404, 429
// with Retry-After, 500, a connection reset, a stall mid-body, wrong
// bytes, a redirect loop). The agent finishes its run, holds every good
// file and none of the bad ones, stores nothing wrong (fsck clean), says
// what went wrong, and does not hammer the origin.
func TestOriginFaults(t *testing.T) {
	t.Parallel()
	kinds := []string{"404", "429", "500", "reset", "stall", "wrong", "loop"}
	o := &faultyOrigin{faults: map[string]string{}, gets: map[string]int{}, stop: make(chan struct{})}
	t.Cleanup(func() { close(o.stop) })
	w := newWorld(t, 20, 16<<10, func(dir string) string { o.dir = dir; return serve(t, o) })
	bad := map[string]string{}
	for i, k := range kinds {
		p := w.paths[i*2+1]
		o.faults[p], bad[p] = k, k
	}
	d := w.join(t, "donor", 10<<20)

	// Two runs: the 429's Retry-After pauses every download until it has
	// passed; the second run, after it, fetches the rest.
	var out []byte
	for run := 1; run <= 2; run++ {
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
		start := time.Now()
		var err error
		out, err = exec.CommandContext(ctx, shardkeeperBin, "agent", "--home", d.home, "--until-idle", "--stall-after", "10s").CombinedOutput()
		timedOut := ctx.Err() != nil
		cancel()
		if timedOut {
			t.Fatalf("run %d: the agent did not finish within 8 minutes with a faulty origin:\n%s", run, tail(out, 3000))
		}
		t.Logf("run %d took %v (exit %v)", run, time.Since(start).Round(time.Second), err)
		if run == 1 {
			// The status says so while the pause lasts; on a slow machine the
			// run outlasts it, and the agent's log has said it.
			st, _ := status(t, d)
			if !strings.Contains(st.Message, "busy") && !strings.Contains(string(out), "(429)") {
				t.Errorf("after a 429 neither the status nor the log says the archive is busy: %q", st.Message)
			}
			wait := time.Now().Add(2 * time.Second) // Retry-After: 2
			waitFor(t, "the Retry-After to pass", 5*time.Second, func() bool { return time.Now().After(wait) })
		}
	}
	st, raw := status(t, d)
	keys := repoClean(t, d)
	repo := st.Shards[0].Path
	// Several server errors and timeouts in a row mean a busy archive:
	// the agent pauses every download for a while, so some good files may
	// wait for a later run. None of the bad ones may be held.
	good := 0
	heldSet := heldFiles(t, repo)
	for _, p := range w.paths {
		k, isBad := bad[p]
		held := heldSet[p]
		switch {
		case isBad && held && k != "429":
			t.Errorf("%s (fault %q) is held", p, k)
		case !isBad && held:
			good++
		}
	}
	if good == 0 {
		t.Errorf("holds %d of %d good files", good, len(w.paths)-len(kinds))
	}
	if len(keys) > good+1 {
		t.Errorf("git-annex holds %d files, %d of them good", len(keys), good)
	}
	for p, k := range bad {
		limit := 3
		if k == "loop" {
			limit = 3 * 11 // each try follows git-annex's 10 redirects
		}
		if n := o.count(p); n > limit {
			t.Errorf("fault %s: %d requests in one run: no backoff", k, n)
		}
	}
	if st.Message == "" && st.FilesSkipped == 0 {
		t.Errorf("status says nothing about the failures: %s", raw)
	}
	t.Logf("status message: %q; output:\n%s", st.Message, tail(out, 2000))
}

// heldFiles lists the files whose content the donor's repository has (by
// git-annex: a shard has no work tree).
func heldFiles(t *testing.T, repo string) map[string]bool {
	t.Helper()
	out, err := git(repo, "annex", "find", "--branch=HEAD", "--in=here", "--format=${file}\n")
	if err != nil {
		t.Fatalf("git annex find: %v\n%s", err, out)
	}
	held := map[string]bool{}
	for _, f := range strings.Fields(out) {
		held[strings.TrimPrefix(f, "HEAD:")] = true
	}
	return held
}
