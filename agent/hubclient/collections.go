package hubclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// Collection is one of the hub's collections with its need, as
// GET /api/v1/collections lists them (neediest first).
type Collection struct {
	Name               string `json:"name"`
	Description        string `json:"description,omitempty"`
	Shards             int64  `json:"shards"`
	Files              int64  `json:"files"`
	Bytes              int64  `json:"bytes"`
	FilesBelowTarget   int64  `json:"files_below_target"`
	BytesLackingCopies int64  `json:"bytes_lacking_copies"`
	FilesTooLarge      int64  `json:"files_too_large"`
}

// Collections is the hub's answer to GET /api/v1/collections.
type Collections struct {
	TargetCopies int          `json:"target_copies"`
	Collections  []Collection `json:"collections"`
}

// Collections lists the hub's collections, neediest first. An older hub
// without collections answers ErrNotSupported.
func (c *Client) Collections(ctx context.Context) (Collections, error) {
	var out Collections
	err := c.do(ctx, http.MethodGet, "/api/v1/collections", nil, &out)
	return out, err
}

// Joining is what a donor tells the hub when it registers; every field
// but the name is optional.
type Joining struct {
	Name         string `json:"name"`
	Collection   string `json:"collection,omitempty"` // "": wherever it is needed most
	Region       string `json:"region,omitempty"`     // one of annex.Regions, "": unknown
	BudgetBytes  int64  `json:"budget_bytes,omitempty"`
	MaxFileBytes int64  `json:"max_file_bytes,omitempty"` // large-file opt-in (0: none)
}

// RegisterWith asks the hub for a donor identity and a shard, of the
// collection asked for when there is one.
func (c *Client) RegisterWith(ctx context.Context, j Joining) (Registration, error) {
	var reg Registration
	body, _ := json.Marshal(j)
	err := c.do(ctx, http.MethodPost, "/api/v1/donors", body, &reg)
	if err == nil && (reg.UUID == "" || reg.Token == "" || reg.Shard.URL == "") {
		err = fmt.Errorf("the hub at %s gave an incomplete registration", c.Base)
	}
	return reg, err
}

// AddShard asks for one more shard, of a collection ("": the neediest).
func (c *Client) AddShard(ctx context.Context, uuid, token, collection string) (Shard, error) {
	var out struct {
		Shard Shard `json:"shard"`
	}
	body, _ := json.Marshal(map[string]string{"collection": collection})
	if collection == "" {
		body = []byte("{}")
	}
	err := c.doAuth(ctx, http.MethodPost, donorPath(uuid)+"/shards", token, body, &out)
	if err == nil && (out.Shard.Name == "" || out.Shard.URL == "") {
		err = fmt.Errorf("the hub at %s gave an incomplete shard", c.Base)
	}
	return out.Shard, err
}

// LeaveShard tells the hub the donor gives one shard back: it stops
// counting on the donor's copies there.
func (c *Client) LeaveShard(ctx context.Context, uuid, token, shard string) error {
	var out struct {
		Leaving bool `json:"leaving"`
	}
	return c.doAuth(ctx, http.MethodPost, donorPath(uuid)+"/shards/"+url.PathEscape(shard)+"/leave", token, []byte("{}"), &out)
}

// DropShard tells the hub the donor has given a shard back completely.
func (c *Client) DropShard(ctx context.Context, uuid, token, shard string) error {
	return c.doAuth(ctx, http.MethodDelete, donorPath(uuid)+"/shards/"+url.PathEscape(shard), token, nil, nil)
}

// Placement is what the hub knows of where and how much a donor holds;
// nil fields are left as they are.
type Placement struct {
	Region       *string `json:"region,omitempty"`
	BudgetBytes  *int64  `json:"budget_bytes,omitempty"`
	MaxFileBytes *int64  `json:"max_file_bytes,omitempty"`
}

// UpdatePlacement PATCHes the donor's region, budget and large-file
// opt-in on the hub.
func (c *Client) UpdatePlacement(ctx context.Context, uuid, token string, p Placement) error {
	body, _ := json.Marshal(p)
	return c.doAuth(ctx, http.MethodPatch, donorPath(uuid), token, body, nil)
}

func donorPath(uuid string) string { return "/api/v1/donors/" + url.PathEscape(uuid) }
