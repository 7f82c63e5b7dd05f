package restore

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

// TestMain lets git-annex run this test binary as the external special
// remote, as it runs shardkeeper in production.
func TestMain(m *testing.M) {
	if IsRemoteProgram(os.Args[0]) {
		os.Exit(RemoteMain(os.Stdin, os.Stdout, os.Stderr))
	}
	testkit.Main(m) // as a donor's fresh account: no git identity

}

// fakeHub is a stand-in for the hub's side of docs/briefs' restore
// contract, for unit tests only (the end-to-end tests use the real hub).
type fakeHub struct {
	t     *testing.T
	srv   *httptest.Server
	donor string
	token string
	rUUID string

	mu       sync.Mutex
	requests []Request
	got      map[string][]byte // key -> bytes accepted
	puts     int
	auths    []string
	started  chan struct{} // a PUT began (its body may still be coming)
}

func newFakeHub(t *testing.T) *fakeHub {
	f := &fakeHub{t: t, donor: "d0000000-0000-4000-8000-000000000001", token: "secret-token-1234",
		rUUID: "e0000000-0000-4000-8000-000000000009", got: map[string][]byte{}, started: make(chan struct{}, 16)}
	mux := http.NewServeMux()
	base := "/api/v1/donors/{uuid}/restores"
	mux.HandleFunc("GET "+base, f.auth(f.list))
	mux.HandleFunc("PUT "+base+"/{shard}/{key}", f.auth(f.put))
	mux.HandleFunc("GET "+base+"/{shard}/{key}", f.auth(f.verified))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeHub) add(r Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r)
}

func (f *fakeHub) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.auths = append(f.auths, r.Header.Get("Authorization"))
		f.mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer "+f.token {
			jsonAnswer(w, 401, map[string]string{"error": "missing or unknown token"})
			return
		}
		if r.PathValue("uuid") != f.donor {
			jsonAnswer(w, 403, map[string]string{"error": "token of another donor"})
			return
		}
		h(w, r)
	}
}

func jsonAnswer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (f *fakeHub) list(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	open := []Request{}
	for _, q := range f.requests {
		if f.got[q.Key] == nil {
			open = append(open, q)
		}
	}
	jsonAnswer(w, 200, Requests{RemoteUUIDByShard: map[string]string{"shard-0001": f.rUUID}, Requests: open})
}

func (f *fakeHub) put(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	f.started <- struct{}{}
	data, err := io.ReadAll(io.LimitReader(r.Body, 1<<24))
	if err != nil || int64(len(data)) != r.ContentLength {
		jsonAnswer(w, 422, map[string]string{"error": "truncated upload"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.puts++
	if f.got[key] != nil {
		jsonAnswer(w, 409, map[string]string{"error": "already verified from another donor"})
		return
	}
	sum := sha256.Sum256(data)
	if !strings.Contains(key, "--"+hex.EncodeToString(sum[:])) {
		jsonAnswer(w, 422, map[string]string{"error": "the bytes do not match the key"})
		return
	}
	f.got[key] = data
	jsonAnswer(w, 200, PutResult{State: StateVerified, Message: "thank you"})
}

func (f *fakeHub) verified(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.got[r.PathValue("key")] == nil {
		jsonAnswer(w, 404, map[string]string{"error": "no verified copy"})
		return
	}
	jsonAnswer(w, 200, map[string]string{"state": StateVerified})
}
