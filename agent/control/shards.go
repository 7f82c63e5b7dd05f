package control

import (
	"context"
	"net/http"
)

// handleShards serves POST /v1/shards (take another shard) and POST
// /v1/shards/remove (give one back) for agents that are a Sharder.
func handleShards(mux *http.ServeMux, api API) {
	sh, ok := api.(Sharder)
	if !ok {
		return
	}
	mux.HandleFunc("POST /v1/shards", func(w http.ResponseWriter, r *http.Request) {
		var req ShardRequest
		if readBody(w, r, &req) {
			st, err := sh.AddShard(r.Context(), req.Collection)
			reply(w, st, err)
		}
	})
	mux.HandleFunc("GET /v1/collections", func(w http.ResponseWriter, r *http.Request) {
		cols, err := sh.Collections(r.Context())
		if cols == nil {
			cols = []Collection{}
		}
		reply(w, cols, err)
	})
	mux.HandleFunc("POST /v1/shards/remove", func(w http.ResponseWriter, r *http.Request) {
		var req ShardRequest
		if readBody(w, r, &req) {
			reply(w, struct{}{}, sh.RemoveShard(r.Context(), req.Shard))
		}
	})
}

// AddShard asks the agent to take a shard of collection ("": the neediest).
func (c *Client) AddShard(ctx context.Context, collection string) (ShardStatus, error) {
	var st ShardStatus
	err := c.call(ctx, http.MethodPost, "/v1/shards", ShardRequest{Collection: collection}, &st)
	return st, err
}

// RemoveShard asks the agent to give one shard back.
func (c *Client) RemoveShard(ctx context.Context, shard string) error {
	return c.call(ctx, http.MethodPost, "/v1/shards/remove", ShardRequest{Shard: shard}, nil)
}

// Collections lists the hub's collections through the agent.
func (c *Client) Collections(ctx context.Context) ([]Collection, error) {
	var out []Collection
	err := c.call(ctx, http.MethodGet, "/v1/collections", nil, &out)
	return out, err
}

var _ Sharder = (*Client)(nil)
