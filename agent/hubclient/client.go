// Package hubclient is the donor's side of the hub's HTTP API.
package hubclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Shard is a shard the hub assigned.
type Shard struct {
	Name  string `json:"name"`
	URL   string `json:"url"`
	Files int64  `json:"files"`
	Bytes int64  `json:"bytes"`
}

// Registration is the hub's answer to a new donor.
type Registration struct {
	UUID  string `json:"uuid"`
	Token string `json:"token"`
	Shard Shard  `json:"shard"`
}

// Client talks to one hub.
type Client struct {
	Base string // e.g. http://127.0.0.1:8080
	HTTP *http.Client
}

// New validates the hub URL and returns a client for it.
func New(hub string) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(hub, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("hub URL %q is not an http(s) URL such as https://archive.example/shardhub", hub)
	}
	return &Client{Base: u.String(), HTTP: &http.Client{Timeout: 30 * time.Second}}, nil
}

// Register asks the hub for a donor identity and a shard.
func (c *Client) Register(ctx context.Context, name string) (Registration, error) {
	var reg Registration
	body, _ := json.Marshal(map[string]string{"name": name})
	err := c.do(ctx, http.MethodPost, "/api/v1/donors", body, &reg)
	if err == nil && (reg.UUID == "" || reg.Token == "" || reg.Shard.URL == "") {
		err = fmt.Errorf("the hub at %s gave an incomplete registration", c.Base)
	}
	return reg, err
}

func (c *Client) do(ctx context.Context, method, path string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("the hub at %s does not answer (%s): check the URL and your connection", c.Base, rootCause(err))
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(data, &e) == nil && e.Error != "" {
			return fmt.Errorf("the hub at %s refused: %s", c.Base, e.Error)
		}
		return fmt.Errorf("the hub at %s answered %s: is this a Shardkeeper hub?", c.Base, resp.Status)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("the hub at %s sent an answer Shardkeeper does not understand: is this a Shardkeeper hub?", c.Base)
	}
	return nil
}

// rootCause strips Go's "Post \"url\": dial tcp ...:" wrapping to the part
// a person can act on ("connection refused").
func rootCause(err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return s
}
