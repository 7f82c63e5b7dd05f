// Package restore is the donor's side of restores and fire drills: the hub
// asks for files back, the agent uploads the ones it holds through a
// git-annex external special remote (this binary run as
// git-annex-remote-shardkeeper), so git-annex's own location tracking
// records the copy at the hub's restore remote. See docs/restore.md.
package restore

import (
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

// Request is one file the hub wants back from this donor.
type Request struct {
	ID    string `json:"id"`
	Shard string `json:"shard"`
	Key   string `json:"key"`
	Size  int64  `json:"size"`
	Path  string `json:"path"`
}

// Requests is the hub's answer to GET /api/v1/donors/{uuid}/restores.
type Requests struct {
	RemoteUUIDByShard map[string]string `json:"remote_uuid_by_shard"`
	Requests          []Request         `json:"requests"`
}

// PutResult is the hub's verdict on an upload.
type PutResult struct {
	State   string `json:"state"` // verified, uploaded or verified_single_md5
	Message string `json:"message"`
}

// Upload states the hub answers with.
const (
	StateVerified          = "verified"
	StateUploaded          = "uploaded" // an MD5-only key waiting for a second donor
	StateVerifiedSingleMD5 = "verified_single_md5"
)

// ErrNotSupported: the hub has no restore endpoints (an older hub).
var ErrNotSupported = errors.New("the hub does not take restores yet")

// HTTPError is a refusal by the hub, with its status and message.
type HTTPError struct {
	Status  int
	Message string
}

func (e *HTTPError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("the hub answered %d %s", e.Status, http.StatusText(e.Status))
	}
	return fmt.Sprintf("the hub refused (%d): %s", e.Status, e.Message)
}

// StatusOf is the HTTP status of a hub refusal (0: not one).
func StatusOf(err error) int {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status
	}
	return 0
}

// Client is the restore part of the hub's donor API, for one donor.
type Client struct {
	Base  string // the hub, e.g. http://127.0.0.1:8080
	Donor string // the donor's UUID
	Token string // the donor's secret: only ever in a header
	HTTP  *http.Client
}

// NewClient checks the hub URL.
func NewClient(hub, donor, token string) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(hub, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("hub URL %q is not an http(s) URL", hub)
	}
	// No overall timeout: an upload of a big file takes as long as it
	// takes; callers bound it with their context.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = 10 * time.Minute // the hub hashes before it answers
	return &Client{Base: u.String(), Donor: donor, Token: token, HTTP: &http.Client{Transport: tr}}, nil
}

func (c *Client) donorPath() string { return "/api/v1/donors/" + url.PathEscape(c.Donor) + "/restores" }

func (c *Client) keyPath(shard, key string) string {
	return c.donorPath() + "/" + url.PathEscape(shard) + "/" + url.PathEscape(key)
}

// List asks which files this donor should upload now.
func (c *Client) List(ctx context.Context) (Requests, error) {
	var out Requests
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	resp, err := c.do(ctx, http.MethodGet, c.donorPath(), nil, -1)
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound && !hubSaid(resp) {
		return out, ErrNotSupported
	}
	if err := decode(resp, &out); err != nil {
		return out, err
	}
	return out, nil
}

// Put uploads the bytes of one key; size is the body's length.
func (c *Client) Put(ctx context.Context, shard, key string, body io.Reader, size int64) (PutResult, error) {
	var out PutResult
	resp, err := c.do(ctx, http.MethodPut, c.keyPath(shard, key), body, size)
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	err = decode(resp, &out)
	return out, err
}

// Verified asks whether the hub holds a verified copy of a key.
func (c *Client) Verified(ctx context.Context, shard, key string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	resp, err := c.do(ctx, http.MethodGet, c.keyPath(shard, key), nil, -1)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	switch {
	case resp.StatusCode == http.StatusOK:
		return true, nil
	case resp.StatusCode == http.StatusNotFound:
		return false, nil
	}
	return false, &HTTPError{Status: resp.StatusCode}
}

func (c *Client) do(ctx context.Context, method, path string, body io.Reader, size int64) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, body)
	if err != nil {
		return nil, err
	}
	if size >= 0 && body != nil {
		req.ContentLength = size
		req.Header.Set("Content-Type", "application/octet-stream")
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := c.HTTP.Do(req)
	if errors.Is(err, ErrPaused) {
		return nil, ErrPaused
	}
	if err != nil {
		return nil, fmt.Errorf("the hub at %s does not answer: %w", c.Base, unwrapURL(err))
	}
	return resp, nil
}

// decode reads a 2xx answer into out, or turns the hub's refusal into an
// HTTPError.
func decode(resp *http.Response, out any) error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error string `json:"error"`
		}
		json.Unmarshal(data, &e)
		return &HTTPError{Status: resp.StatusCode, Message: e.Error}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("the hub sent an answer Shardkeeper does not understand: %w", err)
	}
	return nil
}

// hubSaid tells a 404 the hub explained (JSON error) from one of a hub
// that has no such endpoint.
func hubSaid(resp *http.Response) bool {
	return strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json")
}

func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
