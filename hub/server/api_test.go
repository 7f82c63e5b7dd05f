package server

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/hub/health"
	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

func TestConfigAndRegistration(t *testing.T) {
	h := startHubWith(t, 2, func(c *Config) { c.TargetCopies = 5; c.Expiry = 30 * 24 * time.Hour })
	code, body := h.call(t, "GET", "/api/v1/config", "", "")
	if code != 200 || fmt.Sprint(body) != "map[expiry_days:30 target_copies:5]" {
		t.Errorf("config: %d %v", code, body)
	}
	code, body = h.call(t, "POST", "/api/v1/donors", "", `{"name":"Ann","show_on_board":true}`)
	if code != 201 || body["target_copies"] != 5.0 || body["shard"].(map[string]any)["files"] != 2.0 {
		t.Errorf("register: %d %v", code, body)
	}
	token, uuid := body["token"].(string), body["uuid"].(string)
	code, body = h.call(t, "GET", "/api/v1/donors/"+uuid, token, "")
	if code != 200 || body["name"] != "Ann" || body["show_on_board"] != true || body["last_seen"] != nil || body["token_hash"] != nil {
		t.Errorf("own record: %d %v", code, body)
	}
}

// TestAssignmentFollowsNeed: with a target of one copy, a shard whose files
// all have a copy is finished; it is never handed out while another lacks
// copies, and a donor asking for more shards gets 409 when none needs any.
func TestAssignmentFollowsNeed(t *testing.T) {
	h := startHubWith(t, 2, func(c *Config) { c.TargetCopies = 1 })
	alice := h.join(t, "alice")
	bob := h.register(t, "bob")
	if alice.reg.Shard.Name != "shard-0001" || bob.Shard.Name != "shard-0002" {
		t.Fatalf("first donors got %s and %s, want one each", alice.reg.Shard.Name, bob.Shard.Name)
	}
	alice.get(".")
	alice.annex("merge", "-q")
	alice.accepted("") // shard-0001 is finished
	for i := range 3 {
		if got := h.register(t, fmt.Sprint("late", i)).Shard.Name; got != "shard-0002" {
			t.Errorf("donor %d got %s while shard-0002 lacks copies", i, got)
		}
	}
	code, body := alice.api("POST", "/api/v1/donors/"+alice.reg.UUID+"/shards", "")
	if code != 201 || body["shard"].(map[string]any)["name"] != "shard-0002" {
		t.Fatalf("more shards: %d %v", code, body)
	}
	if code, body = alice.api("POST", "/api/v1/donors/"+alice.reg.UUID+"/shards", ""); code != 409 || !strings.Contains(fmt.Sprint(body), "no other shard needs copies") {
		t.Errorf("more shards with none left: %d %v", code, body)
	}
	// Her second shard: she may push there now.
	second := &donor{t: t, h: h, reg: alice.reg, env: alice.env, dir: t.TempDir() + "/second"}
	second.reg.Shard.URL = strings.Replace(alice.reg.Shard.URL, "shard-0001", "shard-0002", 1)
	testkit.Run(t, second.env, "", "git", "clone", "-q", second.reg.Shard.URL, second.dir)
	second.git("config", "annex.uuid", alice.reg.UUID)
	second.annex("init", "-q", "second")
	second.get("e.txt")
	second.annex("merge", "-q")
	second.accepted("")
}

func TestPatchLeaveDelete(t *testing.T) {
	h := startHubWith(t, 10, nil)
	d := h.join(t, "alice")
	path := "/api/v1/donors/" + d.reg.UUID
	if code, body := d.api("PATCH", path, `{"name":"Alice A.","show_on_board":true}`); code != 200 || body["name"] != "Alice A." || body["show_on_board"] != true {
		t.Errorf("patch: %d %v", code, body)
	}
	if code, body := d.api("PATCH", path, `{"show_on_board":false}`); code != 200 || body["name"] != "Alice A." || body["show_on_board"] != false {
		t.Errorf("patch keeps absent fields: %d %v", code, body)
	}
	if code, _ := d.api("PATCH", path, `{"name":"`+strings.Repeat("x", 101)+`"}`); code != 400 {
		t.Errorf("patch with a long name: %d", code)
	}
	if code, _ := h.call(t, "PATCH", path, "", `{"name":"x"}`); code != 401 {
		t.Errorf("patch without token: %d", code)
	}
	if code, body := d.api("POST", path+"/leave", ""); code != 200 || body["leaving"] != true {
		t.Errorf("leave: %d %v", code, body)
	}
	if code, _ := d.api("POST", path+"/shards", ""); code != 409 {
		t.Errorf("a leaving donor asked for more shards: %d", code)
	}
	d.get("a.txt")
	d.annex("merge", "-q")
	d.accepted("") // leaving donors still report drops and holdings
	if code, _ := d.api("DELETE", path, ""); code != 204 {
		t.Fatalf("delete: %d", code)
	}
	if h.refOf(t, d.ref()) != "" {
		t.Error("the deregistered donor's ref is still there")
	}
	if code, _ := d.api("GET", path, ""); code != 401 {
		t.Errorf("the deleted donor's token still works: %d", code)
	}
	d.refused("this donor token is not valid", "git-annex:"+d.ref())
	var r health.Report
	json.NewDecoder(h.get(t, "/api/v1/health").Body).Decode(&r)
	if r.Shards[0].Copies[0] != 4 || r.Total.DonorsActive != 0 {
		t.Errorf("a deleted donor still counts: %+v", r.Total)
	}
}

// clock is a settable time for the server under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestExpiryAndCheckIn: an accepted push is a check-in; a donor silent for
// longer than the expiry stops counting and counts again when it pushes.
func TestExpiryAndCheckIn(t *testing.T) {
	c := &clock{t: time.Now()}
	h := startHubWith(t, 10, func(cfg *Config) { cfg.Now = c.Now })
	d := h.join(t, "alice")
	d.get("a.txt")
	d.annex("merge", "-q")
	d.accepted("")
	_, rec := d.api("GET", "/api/v1/donors/"+d.reg.UUID, "")
	if seen, _ := time.Parse(time.RFC3339Nano, fmt.Sprint(rec["last_seen"])); !seen.Equal(c.Now().UTC()) {
		t.Errorf("last_seen %v after a push at %v", rec["last_seen"], c.Now())
	}
	report := func() health.Report {
		var r health.Report
		json.NewDecoder(h.get(t, "/api/v1/health").Body).Decode(&r)
		return r
	}
	if r := report(); r.Shards[0].Copies[1] != 1 || r.Total.DonorsActive != 1 {
		t.Fatalf("after the push: %+v", r.Shards[0].Counts)
	}
	c.Add(121 * 24 * time.Hour)
	if r := report(); r.Shards[0].Copies[0] != 4 || r.Total.DonorsExpired != 1 || r.Shards[0].DonorsExpired != 1 {
		t.Errorf("121 days later: copies %v, expired %d", r.Shards[0].Copies, r.Total.DonorsExpired)
	}
	d.goodPush("a.txt") // checks in
	if r := report(); len(r.Shards[0].Copies) != 2 || r.Total.DonorsExpired != 0 {
		t.Errorf("after checking in again: copies %v, expired %d\n%s", r.Shards[0].Copies, r.Total.DonorsExpired, h.logs)
	}
}

func TestHealthPageAndCSV(t *testing.T) {
	h := startHubWith(t, 2, nil)
	d := h.join(t, "Alice Opted In")
	d.api("PATCH", "/api/v1/donors/"+d.reg.UUID, `{"show_on_board":true}`)
	d.get("a.txt")
	d.annex("merge", "-q")
	d.accepted("")
	resp := h.get(t, "/health")
	raw, _ := io.ReadAll(resp.Body)
	page := html.UnescapeString(string(raw))
	for _, want := range []string{"shard-0001", "shard-0002", "3+ copies", "Alice Opted In", "Top donors",
		"/health/at-risk.csv", "c/d.txt", "Verified ≤ 30 days", "1 active, 0 expired"} {
		if !strings.Contains(page, want) {
			t.Errorf("health page lacks %q", want)
		}
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("content type %s", ct)
	}
	resp = h.get(t, "/health/at-risk.csv")
	rows, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil || len(rows) != 5 || strings.Join(rows[0], ",") != "shard,path,key,size,copies" {
		t.Fatalf("csv: %v %v", rows, err)
	}
	if last := rows[4]; last[1] != "a.txt" || last[4] != "1" || last[3] != "6" {
		t.Errorf("the file with a copy should come last: %v", rows)
	}
	var r health.Report
	json.NewDecoder(h.get(t, "/api/v1/health").Body).Decode(&r)
	if r.Shards[0].Verified30d != 1 || r.Shards[0].Copies[1] != 1 || len(r.TopDonors) != 1 || r.TopDonors[0].Name != "Alice Opted In" {
		t.Errorf("report %+v", r)
	}
}
