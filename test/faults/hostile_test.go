//go:build faults

package faults

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// call makes one request with an optional token and returns status and body.
func call(t *testing.T, method, url, token string, body io.Reader) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(b)
}

// register registers a donor by hand and returns uuid and token.
func register(t *testing.T, hub string) (string, string, int) {
	t.Helper()
	code, body := call(t, "POST", hub+"/api/v1/donors", "", strings.NewReader(`{"name":"x"}`))
	var r struct{ UUID, Token string }
	json.Unmarshal([]byte(body), &r)
	return r.UUID, r.Token, code
}

// TestTokenReplay: donor A's token on donor B's endpoints and B's ref.
func TestTokenReplay(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 6, 4<<10, nil)
	a, b := w.join(t, "a", 1<<20), w.join(t, "b", 1<<20)
	ca, cb := readDonor(t, a), readDonor(t, b)
	base := w.hub.url + "/api/v1/donors/" + cb.DonorUUID
	for _, c := range []struct{ method, url, body string }{
		{"GET", base, ""},
		{"PATCH", base, `{"name":"stolen"}`},
		{"POST", base + "/shards", ""},
		{"POST", base + "/leave", ""},
		{"DELETE", base, ""},
		{"GET", base + "/challenges", ""},
		{"GET", base + "/restores", ""},
		{"PUT", base + "/restores/shard-0001/SHA256E-s1--" + strings.Repeat("a", 64), "x"},
	} {
		if code, body := call(t, c.method, c.url, ca.Token, strings.NewReader(c.body)); code != http.StatusForbidden {
			t.Errorf("%s %s with another donor's token: %d %s", c.method, c.url, code, body)
		}
	}
	// B is untouched.
	if code, body := call(t, "GET", base, cb.Token, nil); code != 200 || strings.Contains(body, "stolen") || strings.Contains(body, `"leaving": true`) {
		t.Errorf("B after A's replays: %d %s", code, body)
	}
	// A push to B's ref with A's token is refused.
	mustRun(t, shardkeeperBin, "agent", "--home", a.home, "--until-idle")
	st, _ := status(t, a)
	out, err := git(st.Shards[0].Path, "-c", "http.extraHeader=Authorization: Bearer "+ca.Token,
		"push", "origin", "git-annex:refs/heads/donors/"+cb.DonorUUID+"/git-annex")
	if err == nil {
		t.Errorf("A pushed to B's ref with its own token:\n%s", out)
	}
	if _, err := git(filepath.Join(w.data, "shards", "shard-0001.git"), "rev-parse", "--verify", "refs/heads/donors/"+cb.DonorUUID+"/git-annex"); err == nil {
		t.Errorf("B's ref exists on the hub although B never pushed")
	}
}

// TestRegistrationRateLimit: thousands of registrations from one address
// get a 429 with Retry-After after the limit; a volunteer registering once
// never meets it.
func TestRegistrationRateLimit(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 4, 1<<10, nil) // the default limit
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for g := 0; g < 20; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				_, _, code := register(t, w.hub.url)
				mu.Lock()
				codes[code]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	t.Logf("2000 registrations from one address: %v", codes)
	if codes[201] != 20 || codes[429] != 1980 {
		t.Errorf("answers %v: want 20 registered (the default limit per hour) and 1980 refused with 429", codes)
	}
	resp, err := http.Post(w.hub.url+"/api/v1/donors", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("over the limit: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

// TestHugeAndMalformedJSON: bodies too big are refused with 413 before
// they are read whole, malformed ones with 400; the hub keeps serving.
func TestHugeAndMalformedJSON(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 4, 1<<10, nil)
	uuid, token, _ := register(t, w.hub.url)
	huge := `{"name":"` + strings.Repeat("x", 64<<20) + `"}`
	nested := strings.Repeat("[", 1<<20) + strings.Repeat("]", 1<<20)
	for _, c := range []struct {
		method, path, body string
		want               int
	}{
		{"POST", "/api/v1/donors", huge, 413},
		{"POST", "/api/v1/donors", nested, 413},
		{"POST", "/api/v1/donors", strings.Repeat("[", 10000), 400},
		{"POST", "/api/v1/donors", `{"name":`, 400},
		{"POST", "/api/v1/donors", `{"name": 5}`, 400},
		{"POST", "/api/v1/donors", "\xff\xfe\x00garbage", 400},
		{"PATCH", "/api/v1/donors/" + uuid, huge, 413},
		{"PATCH", "/api/v1/donors/" + uuid, `{"show_on_board": "yes"}`, 400},
		{"POST", "/api/v1/donors/" + uuid + "/challenges/1", huge, 413},
		{"POST", "/api/v1/donors/" + uuid + "/leave", huge, 413},
	} {
		code, body := call(t, c.method, w.hub.url+c.path, token, strings.NewReader(c.body))
		if code != c.want {
			t.Errorf("%s %s with a %d-byte body: %d %.200s; want %d", c.method, c.path, len(c.body), code, body, c.want)
		}
	}
	// Without Content-Length (chunked): cut off at the limit.
	req, _ := http.NewRequest("POST", w.hub.url+"/api/v1/donors", io.MultiReader(strings.NewReader(`{"name":"`), &zeros{n: 64 << 20}))
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != 413 {
			t.Errorf("a chunked 64 MB body: %d, want 413", resp.StatusCode)
		}
	}
	if code, _ := call(t, "GET", w.hub.url+"/api/v1/config", "", nil); code != 200 {
		t.Errorf("the hub stopped answering after hostile bodies: %d", code)
	}
}

// zeros is n 'a' bytes with no known length.
type zeros struct{ n int }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	n := min(len(p), z.n)
	for i := range p[:n] {
		p[i] = 'a'
	}
	z.n -= n
	return n, nil
}

// TestPathTraversal puts "..", encoded or not, in every name, path and key
// field of every API (docs/hub-api.md): nothing outside what each serves
// is read or written.
func TestPathTraversal(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 4, 1<<10, nil)
	w.hub.kill()
	w.hub.args = []string{"--origin", w.coll}
	w.hub.start()
	secret := "TOP-SECRET-" + fmt.Sprint(os.Getpid())
	os.WriteFile(filepath.Join(w.dir, "secret"), []byte(secret), 0o644)
	os.WriteFile(filepath.Join(w.data, "secret"), []byte(secret), 0o644)
	uuid, token, _ := register(t, w.hub.url)
	key := "SHA256E-s1--" + strings.Repeat("a", 64)
	var bad []string
	for _, dots := range []string{"..", "%2e%2e", "%2E%2E", "..%2f..", "..%252f..", ".%2e", "..%5c..", "%2e%2e%2f%2e%2e"} {
		up := dots + "/" + dots + "/" + dots
		for _, c := range []struct{ method, path string }{
			{"GET", "/api/v1/donors/" + up + "/secret"},
			{"GET", "/api/v1/donors/" + dots},
			{"PATCH", "/api/v1/donors/" + dots},
			{"DELETE", "/api/v1/donors/" + dots},
			{"POST", "/api/v1/donors/" + uuid + "/challenges/" + dots},
			{"POST", "/api/v1/donors/" + uuid + "/challenges/" + up + "/secret"},
			{"GET", "/api/v1/donors/" + uuid + "/restores/" + dots + "/" + key},
			{"PUT", "/api/v1/donors/" + uuid + "/restores/" + dots + "/" + key},
			{"PUT", "/api/v1/donors/" + uuid + "/restores/shard-0001/" + dots},
			{"PUT", "/api/v1/donors/" + uuid + "/restores/shard-0001/" + up + "/secret"},
			{"GET", "/api/v1/donors/" + uuid + "/restores/shard-0001/" + up + "/secret"},
			{"GET", "/restore/shard-0001/" + up + "/secret"},
			{"GET", "/restore/" + dots + "/secret"},
			{"GET", "/restore/" + up + "/hub/secret"},
			{"GET", "/git/" + dots + "/secret"},
			{"GET", "/git/shard-0001.git/" + up + "/secret"},
			{"GET", "/git/shard-0001.git/" + up + "/hub.db"},
			{"GET", "/git/shard-0001.git/annex/objects/" + up + "/" + up + "/secret"},
			{"GET", "/git/shard-0001.git/annex/objects/aa/bb/" + dots + "/" + dots},
			{"POST", "/git/shard-0001.git/" + up + "/git-receive-pack"},
			{"GET", "/health/" + up + "/secret"},
			{"GET", "/health/at-risk.csv/" + up + "/secret"},
			{"GET", "/origin/" + up + "/secret"},
			{"GET", "/origin/" + dots + "/hub/secret"},
			{"GET", "/" + up + "/secret"},
		} {
			code, body := call(t, c.method, w.hub.url+c.path, token, strings.NewReader("x"))
			if strings.Contains(body, secret) || strings.Contains(body, "SQLite format") || (code >= 200 && code < 300 && c.method != "GET") {
				bad = append(bad, fmt.Sprintf("%s %s: %d %.100q", c.method, c.path, code, body))
			}
		}
	}
	for _, b := range bad {
		t.Error(b)
	}
	// Names are display text, never paths.
	for _, name := range []string{"../../../secret2", "..\\..\\secret2", "/tmp/secret2", "a\x00b"} {
		body, _ := json.Marshal(map[string]string{"name": name})
		call(t, "POST", w.hub.url+"/api/v1/donors", "", bytes.NewReader(body))
		call(t, "PATCH", w.hub.url+"/api/v1/donors/"+uuid, token, bytes.NewReader(body))
	}
	for _, p := range []string{filepath.Join(w.dir, "secret2"), "/tmp/secret2", filepath.Join(w.data, "secret2")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("a donor name made a file: %s", p)
		}
	}
}
