package hubclient

import (
	"context"
	"net/http"
)

// ShardURLs asks the hub where each of the donor's shards is served now
// (a shard may move to another hub host): shard name -> clone URL. A hub
// of one host may leave some out.
func (c *Client) ShardURLs(ctx context.Context, uuid, token string) (map[string]string, error) {
	var rec struct {
		ShardURLs map[string]string `json:"shard_urls"`
	}
	if err := c.doAuth(ctx, http.MethodGet, donorPath(uuid), token, nil, &rec); err != nil {
		return nil, err
	}
	return rec.ShardURLs, nil
}
