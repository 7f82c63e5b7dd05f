//go:build faults

package faults

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestHubKill9DuringRegistrations: registrations stream in while the hub
// is killed with SIGKILL. After a restart every registration that was
// answered 201 is there with its token, and registration works again.
func TestHubKill9DuringRegistrations(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 4, 1<<10, nil, "--register-limit", "-1")
	type reg struct{ uuid, token string }
	var mu sync.Mutex
	var got []reg
	var n atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				code, body := tryCall("POST", w.hub.url+"/api/v1/donors", "", `{"name":"r"}`)
				if code == 201 {
					var r struct{ UUID, Token string }
					if jsonDecode(body, &r) == nil {
						mu.Lock()
						got = append(got, reg{r.UUID, r.Token})
						mu.Unlock()
						n.Add(1)
					}
				}
			}
		}()
	}
	waitFor(t, "30 registrations", 60*time.Second, func() bool { return n.Load() >= 30 })
	w.hub.kill()
	close(stop)
	wg.Wait()
	w.hub.start()
	for _, r := range got {
		if code, body := call(t, "GET", w.hub.url+"/api/v1/donors/"+r.uuid, r.token, nil); code != 200 {
			t.Errorf("donor %s, registered before the kill, after the restart: %d %s", r.uuid, code, body)
		}
	}
	if _, _, code := register(t, w.hub.url); code != 201 {
		t.Errorf("registration after the restart: %d", code)
	}
	t.Logf("%d registrations answered 201 before the kill, all there after it", len(got))
}

// TestHubKill9DuringPushes: three donors' agents fetch and push while the
// hub is killed with SIGKILL and later restarted (also a restart
// mid-push). What the hub accepted before the kill stays; the shard
// repository passes git fsck; every donor's report lands in the end.
func TestHubKill9DuringPushes(t *testing.T) {
	t.Parallel()
	o := &throttled{rate: 200 << 10}
	w := newWorld(t, 30, 16<<10, func(dir string) string { o.dir = dir; return serve(t, o) })
	var donors []donor
	for i := 0; i < 3; i++ {
		donors = append(donors, w.join(t, fmt.Sprintf("d%d", i), 10<<20))
	}
	repo := filepath.Join(w.data, "shards", "shard-0001.git")
	refs := func() map[string]string {
		out, _ := git(repo, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads/donors/")
		m := map[string]string{}
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			if f := strings.Fields(l); len(f) == 2 {
				m[f[0]] = f[1]
			}
		}
		return m
	}
	for _, d := range donors {
		startAgent(t, d, "--interval", "2s", "--batch", "2")
	}
	waitFor(t, "a first accepted push", 4*time.Minute, func() bool { return len(refs()) > 0 })
	before := refs()
	w.hub.kill()
	t.Logf("killed the hub with %d donor refs accepted", len(before))
	waitFor(t, "the donors to notice", 60*time.Second, func() bool {
		st, _ := status(t, donors[0])
		return st.HubProblem != ""
	})
	w.hub.start()
	for ref, sha := range before {
		if _, err := git(repo, "merge-base", "--is-ancestor", sha, ref); err != nil {
			t.Errorf("%s lost the accepted %s after the kill", ref, sha)
		}
	}
	if out, err := git(repo, "fsck", "--no-dangling"); err != nil {
		t.Errorf("git fsck of the shard after the kill: %v\n%s", err, out)
	}
	for _, d := range donors {
		uuid := readDonor(t, d).DonorUUID
		waitFor(t, "every donor's report to land", 180*time.Second, func() bool {
			st, _ := status(t, d)
			return st.FilesProtected > 0 && hubRefHas(t, w, uuid) == int(st.FilesProtected) && st.HubProblem == ""
		})
	}
}
