package hubclient

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// stubHub answers the collections contract (docs/hub-api.md) on loopback
// and records what it was sent, "METHOD PATH BODY".
func stubHub(t *testing.T) (*Client, *[]string) {
	t.Helper()
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got = append(got, r.Method+" "+r.URL.Path+" "+strings.TrimSpace(string(body)))
		var req map[string]any
		json.Unmarshal(body, &req)
		switch {
		case r.URL.Path == "/api/v1/collections":
			w.Write([]byte(`{"target_copies": 2, "collections": [
			 {"name": "B", "description": "music", "shards": 1, "files": 10, "bytes": 1000, "files_below_target": 10, "bytes_lacking_copies": 800, "files_too_large": 1},
			 {"name": "A", "shards": 2, "files": 20, "bytes": 2000, "files_below_target": 1, "bytes_lacking_copies": 100}]}`))
		case r.URL.Path == "/api/v1/donors" && req["collection"] == "nope":
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error": "no collection \"nope\"; the hub has: A, B"}`))
		case r.URL.Path == "/api/v1/donors" && req["collection"] == "A":
			w.WriteHeader(http.StatusConflict)
			w.Write([]byte(`{"error": "no shard of A needs copies"}`))
		case r.URL.Path == "/api/v1/donors":
			w.Write([]byte(`{"uuid": "u1", "token": "t", "shard": {"name": "b-0001", "url": "http://x/b", "collection": "B"}}`))
		case r.URL.Path == "/api/v1/donors/u1/shards":
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte(`{"shard": {"name": "b-0002", "url": "http://x/b2", "collection": "B"}}`))
		case strings.HasSuffix(r.URL.Path, "/leave"):
			w.Write([]byte(`{"leaving": true}`))
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return c, &got
}

// TestCollectionsContract: the donor's side of the collections contract:
// the list with need, registration and shards by collection, giving one
// shard back, and the placement PATCH.
func TestCollectionsContract(t *testing.T) {
	c, got := stubHub(t)
	ctx := context.Background()
	cols, err := c.Collections(ctx)
	if err != nil || len(cols.Collections) != 2 || cols.Collections[0].Name != "B" || cols.Collections[0].BytesLackingCopies != 800 {
		t.Fatalf("collections %+v %v", cols, err)
	}
	reg, err := c.RegisterWith(ctx, Joining{Name: "n", Collection: "B", Region: "europe", BudgetBytes: 5, MaxFileBytes: 9})
	if err != nil || reg.Shard.Collection != "B" {
		t.Fatalf("register %+v %v", reg, err)
	}
	_, err = c.RegisterWith(ctx, Joining{Collection: "nope"})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "the hub has: A, B") {
		t.Errorf("unknown collection: %v", err)
	}
	var unknown *NotFoundError
	if !errors.As(err, &unknown) || unknown.Said() != "the hub at "+c.Base+` says: no collection "nope"; the hub has: A, B` ||
		err.Error() != ErrNotFound.Error()+": "+unknown.Said() {
		t.Errorf("unknown collection: the hub's words are not carried as they are: %v", err)
	}
	if _, err := c.RegisterWith(ctx, Joining{Collection: "A"}); !errors.Is(err, ErrNoShardNeeded) {
		t.Errorf("collection without need: %v", err)
	}
	if sh, err := c.AddShard(ctx, "u1", "t", "B"); err != nil || sh.Name != "b-0002" {
		t.Errorf("add shard %+v %v", sh, err)
	}
	if err := c.LeaveShard(ctx, "u1", "t", "b-0001"); err != nil {
		t.Errorf("leave shard: %v", err)
	}
	if err := c.DropShard(ctx, "u1", "t", "b-0001"); err != nil {
		t.Errorf("drop shard: %v", err)
	}
	region, zero := "asia", int64(0)
	if err := c.UpdatePlacement(ctx, "u1", "t", Placement{Region: &region, MaxFileBytes: &zero}); err != nil {
		t.Errorf("patch: %v", err)
	}
	want := []string{
		"GET /api/v1/collections ",
		`POST /api/v1/donors {"name":"n","collection":"B","region":"europe","budget_bytes":5,"max_file_bytes":9}`,
		`POST /api/v1/donors {"name":"","collection":"nope"}`,
		`POST /api/v1/donors {"name":"","collection":"A"}`,
		`POST /api/v1/donors/u1/shards {"collection":"B"}`,
		"POST /api/v1/donors/u1/shards/b-0001/leave {}",
		"DELETE /api/v1/donors/u1/shards/b-0001 ",
		`PATCH /api/v1/donors/u1 {"region":"asia","max_file_bytes":0}`,
	}
	if strings.Join(*got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(*got, "\n"), strings.Join(want, "\n"))
	}
}
