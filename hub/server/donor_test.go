package server

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/audit"
	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

// donor is a real donor repository: cloned from the hub over smart HTTP,
// with the UUID the hub gave it, and git-annex initialised.
type donor struct {
	t   *testing.T
	h   hub
	reg RegisterResponse
	env []string
	dir string
}

func (h hub) join(t *testing.T, name string) *donor {
	t.Helper()
	return h.joinAs(t, name, h.register(t, name))
}

// joinAs makes the donor repository of a registration.
func (h hub) joinAs(t *testing.T, name string, reg RegisterResponse) *donor {
	t.Helper()
	d := &donor{t: t, h: h, reg: reg, env: testkit.HandEnv(t)}
	d.dir = testkit.HandDonor(t, d.env, d.reg.Shard.URL, d.reg.UUID, name)
	return d
}

func (d *donor) git(args ...string) string {
	d.t.Helper()
	return strings.TrimSpace(testkit.Run(d.t, d.env, d.dir, append([]string{"git"}, args...)...))
}

func (d *donor) annex(args ...string) string {
	d.t.Helper()
	return d.git(append([]string{"annex"}, args...)...)
}

// get fetches files from the archive's origin (on loopback).
func (d *donor) get(paths ...string) {
	d.t.Helper()
	d.git(append([]string{"-c", "annex.security.allowed-ip-addresses=127.0.0.1", "annex", "get", "-q"}, paths...)...)
}

// sync fetches every ref of the hub and lets git-annex merge them, as the
// agent does.
func (d *donor) sync() {
	d.t.Helper()
	d.git("fetch", "-q", "origin")
	d.annex("merge", "-q")
}

func (d *donor) key(path string) annex.Key { return annex.Key(d.annex("lookupkey", path)) }

func (d *donor) ref() string { return audit.DonorRef(d.reg.UUID) }

// push pushes refspec with the donor's token and returns git's output.
func (d *donor) push(refspec ...string) (string, error) {
	args := append([]string{"git", "-c", "http.extraHeader=Authorization: Bearer " + d.reg.Token, "push", "origin"}, refspec...)
	return testkit.Try(d.env, d.dir, args...)
}

// hubRef is where ref points on the hub ("" when absent).
func (d *donor) hubRef(ref string) string {
	out, err := testkit.Try(d.env, d.dir, "git", "ls-remote", "origin", ref)
	if err != nil {
		d.t.Fatalf("ls-remote: %v\n%s", err, out)
	}
	sha, _, _ := strings.Cut(out, "\t")
	return strings.TrimSpace(sha)
}

// refused pushes refspec and checks the hub refused it, saying want, and
// that the donor's ref on the hub did not move.
func (d *donor) refused(want string, refspec ...string) {
	d.t.Helper()
	before := d.hubRef(d.ref())
	out, err := d.push(refspec...)
	if err == nil {
		d.t.Fatalf("push %v was accepted; want it refused with %q:\n%s", refspec, want, out)
	}
	if !strings.Contains(out, want) {
		d.t.Errorf("push %v refused without saying %q:\n%s", refspec, want, out)
	}
	if after := d.hubRef(d.ref()); after != before {
		d.t.Errorf("the refused push moved %s from %q to %q", d.ref(), before, after)
	}
}

// accepted pushes the donor's git-annex branch (or commit) to its ref and
// checks it landed.
func (d *donor) accepted(commit string) {
	d.t.Helper()
	if commit == "" {
		commit = d.git("rev-parse", "git-annex")
	}
	if d.hubRef(d.ref()) == commit {
		d.t.Fatalf("nothing new to push: the hub already has %s", commit)
	}
	out, err := d.push(commit + ":" + d.ref())
	if err != nil {
		d.t.Fatalf("an honest push was refused: %v\n%s", err, out)
	}
	if got := d.hubRef(d.ref()); got != commit {
		d.t.Fatalf("after the push the hub has %q, want %s", got, commit)
	}
}

// goodPush re-states the donor's own line for path (what the agent does
// after verifying a file) and pushes: the accepted half of every rule test.
// git-annex's setpresentkey writes nothing when the status is unchanged,
// so the line is re-stated as missing, then present: the newest wins.
func (d *donor) goodPush(path string) {
	d.t.Helper()
	d.restate(path)
	d.accepted("")
}

func (d *donor) restate(path string) {
	d.t.Helper()
	before := d.git("rev-parse", "git-annex")
	d.annex("setpresentkey", string(d.key(path)), d.reg.UUID, "0")
	d.annex("setpresentkey", string(d.key(path)), d.reg.UUID, "1")
	d.annex("merge", "-q") // commits git-annex's journal
	if d.git("rev-parse", "git-annex") == before {
		d.t.Fatal("re-stating a line did not change the git-annex branch")
	}
}

// resetBranch moves the git-annex branch back to rev, and drops git-annex's
// own index of the branch, which would otherwise bring the undone change
// back on its next commit.
func (d *donor) resetBranch(rev string) {
	d.t.Helper()
	d.git("update-ref", "refs/heads/git-annex", rev)
	if err := os.Remove(filepath.Join(d.dir, ".git", "annex", "index")); err != nil {
		d.t.Fatal(err)
	}
}

// commit writes a commit on top of parent whose tree is parent's with files
// changed (nil content: deleted; a "120000:" prefix: a symlink), without
// touching the donor's branches.
func (d *donor) commit(parent string, files map[string]*string) string {
	d.t.Helper()
	env := append(d.env, "GIT_INDEX_FILE="+filepath.Join(d.t.TempDir(), "index"))
	run := func(args ...string) string {
		return strings.TrimSpace(testkit.Run(d.t, env, d.dir, append([]string{"git"}, args...)...))
	}
	args := []string{"read-tree"}
	if parent != "" {
		args = append(args, parent+"^{tree}")
	} else {
		args = append(args, "--empty")
	}
	run(args...)
	for path, content := range files {
		if content == nil {
			run("update-index", "--force-remove", path)
			continue
		}
		mode, body := "100644", *content
		if rest, ok := strings.CutPrefix(body, "120000:"); ok {
			mode, body = "120000", rest
		}
		tmp := filepath.Join(d.t.TempDir(), "blob")
		os.WriteFile(tmp, []byte(body), 0o644)
		sha := run("hash-object", "-w", tmp)
		run("update-index", "--add", "--cacheinfo", mode+","+sha+","+path)
	}
	tree := run("write-tree")
	if parent == "" {
		return run("commit-tree", tree, "-m", "test")
	}
	return run("commit-tree", tree, "-p", parent, "-m", "test")
}

// show is a file of the git-annex branch (or another commit).
func (d *donor) show(rev, path string) string {
	d.t.Helper()
	return testkit.Run(d.t, d.env, d.dir, "git", "show", rev+":"+path)
}

func str(s string) *string { return &s }

// api calls the donor API with the donor's token.
func (d *donor) api(method, path, body string) (int, map[string]any) {
	d.t.Helper()
	return d.h.call(d.t, method, path, d.reg.Token, body)
}

func (h hub) call(t *testing.T, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, h.url+path, strings.NewReader(body))
	code, data := send(t, req, token)
	var out map[string]any
	json.Unmarshal(data, &out)
	return code, out
}

// send sends req with the token (none when "") and returns the status and
// body.
func send(t *testing.T, req *http.Request, token string) (int, []byte) {
	t.Helper()
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}
