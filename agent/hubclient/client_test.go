package hubclient

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestOlderHubAndRefusals: a hub without an endpoint (plain 404) is "not
// supported", which callers carry on from; the hub's own refusals keep its
// words; the token goes in the Authorization header.
func TestOlderHubAndRefusals(t *testing.T) {
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		switch r.URL.Path {
		case "/api/v1/config":
			w.Write([]byte(`{"target_copies": 4, "expiry_days": 120}`))
		case "/api/v1/donors/u1/shards":
			w.WriteHeader(http.StatusConflict)
			w.Write([]byte(`{"error": "no other shard needs copies now"}`))
		case "/api/v1/donors/u1":
			w.WriteHeader(http.StatusNoContent)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c, err := New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if cfg, err := c.Config(ctx); err != nil || cfg.TargetCopies != 4 {
		t.Errorf("config %+v %v", cfg, err)
	}
	if err := c.Leave(ctx, "u1", "tok"); !errors.Is(err, ErrNotSupported) || auth != "Bearer tok" {
		t.Errorf("leave on an older hub: %v (auth %q)", err, auth)
	}
	if _, err := c.MoreShard(ctx, "u1", "tok"); !errors.Is(err, ErrNoShardNeeded) {
		t.Errorf("more shards when none needs copies: %v", err)
	}
	if err := c.Deregister(ctx, "u1", "tok"); err != nil {
		t.Errorf("deregister: %v", err)
	}
}
