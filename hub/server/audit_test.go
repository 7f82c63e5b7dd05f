package server

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

// Every push audit rule has a test here: a real git push from a real donor
// repository that the hub refuses, with the message the donor's git
// prints, then an honest push from the same repository that lands.

func oneShardHub(t *testing.T) hub {
	t.Parallel()
	return startHubWith(t, 10, nil)
}

// started is a donor that fetched a file and pushed once.
func started(t *testing.T, h hub, name string) *donor {
	d := h.join(t, name)
	d.get("a.txt")
	d.annex("merge", "-q")
	d.accepted("")
	return d
}

func TestAuditRefusesOtherRefs(t *testing.T) {
	h := oneShardHub(t)
	d := started(t, h, "alice")
	for _, ref := range []string{"refs/heads/sneaky", "refs/heads/git-annex", "refs/heads/main", "refs/heads/synced/git-annex", "refs/tags/v1"} {
		d.refused("shardhub: refusing "+ref+": a donor may push only to "+d.ref(), "+git-annex:"+ref)
	}
	d.refused("refusing refs/heads/sneaky", "HEAD:refs/heads/sneaky", "git-annex:"+d.ref()) // all or nothing
	d.goodPush("a.txt")
}

func TestAuditRefusesPushesWithoutAValidToken(t *testing.T) {
	h := oneShardHub(t)
	d := started(t, h, "alice")
	refspec := "git-annex:" + d.ref()
	before := d.hubRef(d.ref())
	if out, err := testkit.Try(d.env, d.dir, "git", "push", "origin", refspec); err == nil {
		t.Errorf("push without a token accepted:\n%s", out)
	}
	token := d.reg.Token
	d.reg.Token = strings.Repeat("0", 64)
	d.refused("remote: shardhub: this donor token is not valid", refspec)
	d.reg.Token = token
	if d.hubRef(d.ref()) != before {
		t.Error("a push without a valid token moved the donor's ref")
	}
	d.goodPush("a.txt")
}

func TestAuditRefusesAnotherDonorsRef(t *testing.T) {
	h := oneShardHub(t)
	alice := started(t, h, "alice")
	bob := started(t, h, "bob")
	alice.refused("shardhub: refusing "+bob.ref()+": that is another donor's branch", "+git-annex:"+bob.ref())
	// Alice's token on Bob's API is refused too.
	if code, body := alice.api("PATCH", "/api/v1/donors/"+bob.reg.UUID, `{"name":"x"}`); code != 403 || !strings.Contains(fmt.Sprint(body), "another donor") {
		t.Errorf("PATCH with another donor's token: %d %v", code, body)
	}
	alice.goodPush("a.txt")
}

func TestAuditRefusesLinesForAnotherUUID(t *testing.T) {
	h := oneShardHub(t)
	alice := started(t, h, "alice")
	bob := h.join(t, "bob")
	loc := annex.LocationLogPath(alice.key("c/d.txt"))
	forged := alice.show("git-annex", loc) + annex.TimestampOf(time.Now()).String() + " 1 " + bob.reg.UUID + "\n"
	bad := alice.commit("git-annex", map[string]*string{loc: &forged})
	alice.refused("adds a line for another repository ("+bob.reg.UUID+")", bad+":"+alice.ref())
	// The same through git-annex itself.
	before := alice.git("rev-parse", "git-annex")
	alice.annex("setpresentkey", string(alice.key("e.txt")), bob.reg.UUID, "1")
	alice.annex("merge", "-q")
	alice.refused("adds a line for another repository ("+bob.reg.UUID+")", "git-annex:"+alice.ref())
	alice.resetBranch(before)
	alice.goodPush("a.txt")
}

// TestAuditRefusesChangingOthersLines: Alice's branch carries Bob's line
// (merged honestly); she may not drop, change or rewind it, nor the web's.
func TestAuditRefusesChangingOthersLines(t *testing.T) {
	h := oneShardHub(t)
	bob := started(t, h, "bob") // holds a.txt
	alice := h.join(t, "alice")
	alice.sync()
	loc := annex.LocationLogPath(alice.key("a.txt"))
	merged := alice.show("git-annex", loc)
	if !strings.Contains(merged, bob.reg.UUID) {
		t.Fatalf("alice's branch does not carry bob's line after merging:\n%s", merged)
	}
	alice.accepted("") // the merge alone is honest: bob's line is known

	var webOnly, bobChanged []string
	for _, line := range strings.Split(strings.TrimSpace(merged), "\n") {
		if strings.HasSuffix(line, bob.reg.UUID) {
			bobChanged = append(bobChanged, annex.TimestampOf(time.Now()).String()+" 0 "+bob.reg.UUID)
			continue
		}
		webOnly = append(webOnly, line)
		bobChanged = append(bobChanged, line)
	}
	removed := strings.Join(webOnly, "\n") + "\n"
	changed := strings.Join(bobChanged, "\n") + "\n"
	alice.refused("removes or rewinds the line of another repository ("+bob.reg.UUID+")",
		alice.commit("git-annex", map[string]*string{loc: &removed})+":"+alice.ref())
	alice.refused("adds a line for another repository ("+bob.reg.UUID+")",
		alice.commit("git-annex", map[string]*string{loc: &changed})+":"+alice.ref())
	alice.refused("removes or rewinds the line of another repository ("+annex.WebUUID+")",
		alice.commit("git-annex", map[string]*string{annex.LocationLogPath(alice.key("e.txt")): nil})+":"+alice.ref())
	alice.get("a.txt")
	alice.annex("merge", "-q")
	alice.accepted("")
}

// TestAuditRefusesArchiveOnlyLogs runs the git-annex commands that write the
// files only the archive may change, and pushes each result.
func TestAuditRefusesArchiveOnlyLogs(t *testing.T) {
	h := oneShardHub(t)
	d := started(t, h, "alice")
	key := string(d.key("e.txt"))
	special := t.TempDir()
	for _, tc := range []struct {
		file string
		cmd  []string
		want string
	}{
		{"uuid.log", []string{"describe", "web", "not the web"}, "uuid.log: adds a line for another repository (" + annex.WebUUID + ")"},
		{"trust.log", []string{"trust", "--force", "here"}, "trust.log: only the archive may change this file"},
		{"numcopies.log", []string{"numcopies", "1"}, "numcopies.log: only the archive"},
		{"mincopies.log", []string{"mincopies", "1"}, "mincopies.log: only the archive"},
		{"group.log", []string{"group", "here", "backup"}, "group.log: a donor may put itself only in its region's group"},
		{"preferred-content.log", []string{"wanted", "here", "present"}, "preferred-content.log: only the archive"},
		{"required-content.log", []string{"required", "here", "present"}, "required-content.log: only the archive"},
		{"remote.log", []string{"initremote", "spare", "type=directory", "directory=" + special, "encryption=none"}, "remote.log: only the archive"},
		{"config.log", []string{"config", "--set", "annex.largefiles", "anything"}, "config.log: only the archive"},
		{".log.web", []string{"registerurl", key, "http://evil.example/e.txt"}, ".log.web: only the archive"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			before := d.git("rev-parse", "git-annex")
			d.annex(append(tc.cmd, "-q")...)
			d.annex("merge", "-q")
			if d.git("rev-parse", "git-annex") == before {
				t.Fatalf("git annex %v did not change the branch", tc.cmd)
			}
			d.refused(tc.want, "git-annex:"+d.ref())
			d.resetBranch(before)
		})
	}
	d.git("config", "annex.largefiles", "nothing") // unrelated local config is fine
	d.goodPush("a.txt")
}

func TestAuditRefusesKeysNotInTheShard(t *testing.T) {
	h := oneShardHub(t)
	d := started(t, h, "alice")
	before := d.git("rev-parse", "git-annex")
	alien := annex.NewKey(annex.BackendSHA256E, 3, strings.Repeat("c", 64), "x.bin")
	d.annex("setpresentkey", string(alien), d.reg.UUID, "1")
	d.annex("merge", "-q")
	d.refused(annex.LocationLogPath(alien)+": claims a key that is not in this shard", "git-annex:"+d.ref())
	d.resetBranch(before)
	d.goodPush("a.txt")
}

func TestAuditRefusesFutureTimestamps(t *testing.T) {
	h := oneShardHub(t)
	d := started(t, h, "alice")
	loc := annex.LocationLogPath(d.key("a.txt"))
	future := annex.TimestampOf(time.Now().Add(48 * time.Hour))
	content := d.show("git-annex", loc) + future.String() + " 1 " + d.reg.UUID + "\n"
	d.refused("timestamp "+future.String()+" is more than a day in the future",
		d.commit("git-annex", map[string]*string{loc: &content})+":"+d.ref())
	d.goodPush("a.txt")
}

func TestAuditRefusesFilesThatAreNotLogs(t *testing.T) {
	h := oneShardHub(t)
	d := started(t, h, "alice")
	for path, content := range map[string]string{
		"README":        "hello\n",
		"notes/x.log":   "1s 1 " + d.reg.UUID + "\n",
		"uuid.log.evil": "x\n",
	} {
		d.refused(path+" is not a git-annex log", d.commit("git-annex", map[string]*string{path: str(content)})+":"+d.ref())
	}
	loc := annex.LocationLogPath(d.key("a.txt"))
	d.refused(loc+" must be a plain file", d.commit("git-annex", map[string]*string{loc: str("120000:/etc/passwd")})+":"+d.ref())
	d.goodPush("a.txt")
}

// TestAuditRefusesRewrittenHistory: a donor's branch must grow from the
// hub's; replacing its own ref (not a fast-forward) is allowed only when
// nothing anyone else said goes missing; deleting it is not.
func TestAuditRefusesRewrittenHistory(t *testing.T) {
	h := oneShardHub(t)
	bob := started(t, h, "bob")
	alice := started(t, h, "alice")
	if !strings.Contains(alice.show("git-annex", annex.LocationLogPath(alice.key("a.txt"))), bob.reg.UUID) {
		t.Fatal("alice's branch does not carry bob's line")
	}

	tree := alice.git("rev-parse", "git-annex^{tree}")
	orphan := strings.TrimSpace(testkit.Run(t, alice.env, alice.dir, "git", "commit-tree", tree, "-m", "my own history"))
	alice.refused("shares no history with the hub's git-annex branch", "+"+orphan+":"+alice.ref())
	alice.refused("refusing to delete "+alice.ref(), ":"+alice.ref())
	// Going back to the hub's branch would drop bob's line.
	alice.refused("removes or rewinds the line of another repository ("+bob.reg.UUID+")", "+origin/git-annex:"+alice.ref())

	// A donor that lost its repository clones again: its new branch does
	// not descend from its old ref, but keeps everything: accepted.
	again := h.clone(t, alice)
	again.sync()
	again.get("c/d.txt")
	again.annex("merge", "-q")
	out, err := again.push("+git-annex:" + again.ref())
	if err != nil {
		t.Fatalf("re-cloned donor's forced push refused: %v\n%s", err, out)
	}
	if h.refOf(t, again.ref()) != again.git("rev-parse", "git-annex") {
		t.Error("re-cloned donor's push did not land")
	}
}

// TestHonestDonorsPass is what git-annex writes in normal use: init,
// get, merging the hub's and other donors' branches, fsck (activity.log),
// re-stated lines and drops; two donors pushing at once never overwrite
// each other.
func TestHonestDonorsPass(t *testing.T) {
	h := oneShardHub(t)
	alice := started(t, h, "alice")
	bob := h.join(t, "bob")
	bob.sync()
	bob.get("b b.bin", "a.txt")
	bob.git("annex", "fsck", "-q", "--fast", "a.txt")
	bob.annex("merge", "-q")
	if !strings.Contains(bob.show("git-annex", "activity.log"), bob.reg.UUID) {
		t.Fatal("fsck wrote no activity.log line")
	}
	bob.accepted("")
	alice.sync()
	alice.get("c/d.txt")
	alice.annex("drop", "-q", "--force", "a.txt")
	alice.annex("merge", "-q")
	alice.accepted("")
	alice.goodPush("c/d.txt")

	// Both at once: per-donor refs, so neither push can undo the other.
	bob.restate("b b.bin")
	alice.restate("c/d.txt")
	errs := make(chan error, 2)
	for _, d := range []*donor{alice, bob} {
		go func() {
			out, err := d.push("git-annex:" + d.ref())
			if err != nil {
				err = fmt.Errorf("%s: %v\n%s", d.reg.UUID, err, out)
			}
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	for _, d := range []*donor{alice, bob} {
		if h.refOf(t, d.ref()) != d.git("rev-parse", "git-annex") {
			t.Errorf("%s's concurrent push did not land", d.reg.UUID)
		}
	}
}

// clone makes a second repository for an existing donor (same UUID and
// token), as after a lost disk.
func (h hub) clone(t *testing.T, of *donor) *donor {
	return &donor{t: t, h: h, reg: of.reg, env: of.env, dir: testkit.HandDonor(t, of.env, of.reg.Shard.URL, of.reg.UUID, "again")}
}

// refOf reads a ref straight from the hub's repository.
func (h hub) refOf(t *testing.T, ref string) string {
	out, err := testkit.Try(nil, h.data+"/shards/shard-0001.git", "git", "rev-parse", "--verify", "--quiet", ref)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(out)
}
