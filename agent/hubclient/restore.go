package hubclient

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/shardkeeper/shardkeeper/internal/restoreapi"
)

// Restores is the restore part of the hub's donor API, for one donor.
type Restores struct {
	Base  string // the hub, e.g. http://127.0.0.1:8080
	Donor string // the donor's UUID
	Token string // the donor's secret: only ever in a header
	HTTP  *http.Client
}

// NewRestores checks the hub URL.
func NewRestores(hub, donor, token string) (*Restores, error) {
	base, err := parseBase(hub)
	if err != nil {
		return nil, fmt.Errorf("hub URL %q is not an http(s) URL", hub)
	}
	// No overall timeout: an upload of a big file takes as long as it
	// takes; callers bound it with their context.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = 10 * time.Minute // the hub hashes before it answers
	return &Restores{Base: base, Donor: donor, Token: token, HTTP: &http.Client{Transport: tr}}, nil
}

func (c *Restores) donorPath() string {
	return "/api/v1/donors/" + url.PathEscape(c.Donor) + "/restores"
}

func (c *Restores) keyPath(shard, key string) string {
	return c.donorPath() + "/" + url.PathEscape(shard) + "/" + url.PathEscape(key)
}

// List asks which files this donor should upload now.
func (c *Restores) List(ctx context.Context) (restoreapi.Requests, error) {
	var out restoreapi.Requests
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	resp, err := c.do(ctx, http.MethodGet, c.donorPath(), nil, -1)
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound && !jsonAnswer(resp) {
		return out, ErrNoRestores
	}
	return out, decodeStrict(resp, &out)
}

// Put uploads the bytes of one key; size is the body's length.
func (c *Restores) Put(ctx context.Context, shard, key string, body io.Reader, size int64) (restoreapi.PutResult, error) {
	var out restoreapi.PutResult
	resp, err := c.do(ctx, http.MethodPut, c.keyPath(shard, key), body, size)
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	return out, decodeStrict(resp, &out)
}

// Verified asks whether the hub holds a verified copy of a key.
func (c *Restores) Verified(ctx context.Context, shard, key string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	resp, err := c.do(ctx, http.MethodGet, c.keyPath(shard, key), nil, -1)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	switch resp.StatusCode {
	case http.StatusOK:
		return true, nil
	case http.StatusNotFound:
		return false, nil
	}
	return false, &HTTPError{Status: resp.StatusCode}
}

// do sends one request; a body's own error (the donor paused the upload)
// stays in the chain for errors.Is.
func (c *Restores) do(ctx context.Context, method, path string, body io.Reader, size int64) (*http.Response, error) {
	req, err := newRequest(ctx, method, c.Base+path, c.Token, body)
	if err != nil {
		return nil, err
	}
	if size >= 0 && body != nil {
		req.ContentLength = size
		req.Header.Set("Content-Type", "application/octet-stream")
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the hub at %s does not answer: %w", c.Base, unwrapURL(err))
	}
	return resp, nil
}
