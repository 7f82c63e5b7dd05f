package hubclient

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/shardkeeper/shardkeeper/internal/proof"
)

// Challenges lists the donor's open proof-of-storage challenges
// (ErrNotSupported from a hub without proofs of storage).
func (c *Client) Challenges(ctx context.Context, uuid, token string) ([]proof.Challenge, error) {
	var out []proof.Challenge
	err := c.doAuth(ctx, http.MethodGet, "/api/v1/donors/"+url.PathEscape(uuid)+"/challenges", token, nil, &out)
	return out, err
}

// Answer answers a challenge with hex(SHA-256(nonce || bytes)), or says
// the donor does not hold the key (notHeld; answer is then ignored).
// It returns whether the hub found the answer right.
func (c *Client) Answer(ctx context.Context, uuid, token, id, answer string, notHeld bool) (bool, error) {
	body, _ := json.Marshal(map[string]any{"answer": answer, "not_held": notHeld})
	var out struct {
		Passed bool `json:"passed"`
	}
	err := c.doAuth(ctx, http.MethodPost, "/api/v1/donors/"+url.PathEscape(uuid)+"/challenges/"+url.PathEscape(id), token, body, &out)
	return out.Passed, err
}
