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
	// Collection is the collection the shard belongs to ("": an older hub).
	Collection string `json:"collection,omitempty"`
}

// Registration is the hub's answer to a new donor.
type Registration struct {
	UUID         string `json:"uuid"`
	Token        string `json:"token"`
	Shard        Shard  `json:"shard"`
	TargetCopies int    `json:"target_copies,omitempty"` // 0: the hub did not say
}

// Config is the hub's public configuration.
type Config struct {
	TargetCopies int `json:"target_copies"`
	ExpiryDays   int `json:"expiry_days"`
}

// ErrNotSupported means the hub does not offer an endpoint (it answered
// 404): an older hub. Callers carry on without it.
var ErrNotSupported = errors.New("the hub does not support this yet")

// ErrNoShardNeeded means the hub has no other shard that needs copies.
var ErrNoShardNeeded = errors.New("no other shard needs copies now")

// ErrNotFound means the hub does not know what was asked about (a donor
// it already forgot).
var ErrNotFound = errors.New("unknown to the hub")

// NotFoundError is ErrNotFound with the hub's own words, for a caller
// that says them in its own sentence.
type NotFoundError struct{ Base, Msg string }

func (e *NotFoundError) Error() string        { return ErrNotFound.Error() + ": " + e.Said() }
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// Said is "the hub at URL says: what it said".
func (e *NotFoundError) Said() string { return fmt.Sprintf("the hub at %s says: %s", e.Base, e.Msg) }

// Client talks to one hub.
type Client struct {
	Base string // e.g. http://127.0.0.1:8080
	HTTP *http.Client
}

// New validates the hub URL and returns a client for it.
func New(hub string) (*Client, error) {
	base, err := parseBase(hub)
	if err != nil {
		return nil, fmt.Errorf("hub URL %q is not an http(s) URL such as https://archive.example/shardhub", hub)
	}
	return &Client{Base: base, HTTP: &http.Client{Timeout: 30 * time.Second}}, nil
}

// parseBase checks a hub URL: http(s), with a host.
func parseBase(hub string) (string, error) {
	u, err := url.Parse(strings.TrimRight(hub, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("not an http(s) URL")
	}
	return u.String(), nil
}

// newRequest is a request to the hub, with the donor's token (if any) in
// its Authorization header: never in the URL.
func newRequest(ctx context.Context, method, url, token string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req, nil
}

// hubMessage is the hub's {"error": "..."} text, and whether it sent one.
func hubMessage(data []byte) (string, bool) {
	var e struct {
		Error string `json:"error"`
	}
	said := json.Unmarshal(data, &e) == nil && e.Error != ""
	return e.Error, said
}

// jsonAnswer tells a 404 the hub explained (JSON error) from one of a hub
// that has no such endpoint.
func jsonAnswer(resp *http.Response) bool {
	return strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json")
}

func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
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

// Config asks the hub for its settings (target copies per file).
func (c *Client) Config(ctx context.Context) (Config, error) {
	var cfg Config
	err := c.do(ctx, http.MethodGet, "/api/v1/config", nil, &cfg)
	return cfg, err
}

// Leave tells the hub this donor is finishing: it stops counting on new
// files from it.
func (c *Client) Leave(ctx context.Context, uuid, token string) error {
	var out struct {
		Leaving bool `json:"leaving"`
	}
	return c.doAuth(ctx, http.MethodPost, "/api/v1/donors/"+url.PathEscape(uuid)+"/leave", token, []byte("{}"), &out)
}

// MoreShard asks for one more shard to hold (when the donor's shards need
// nothing more and it has room).
func (c *Client) MoreShard(ctx context.Context, uuid, token string) (Shard, error) {
	var out struct {
		Shard Shard `json:"shard"`
	}
	err := c.doAuth(ctx, http.MethodPost, "/api/v1/donors/"+url.PathEscape(uuid)+"/shards", token, []byte("{}"), &out)
	if err == nil && (out.Shard.Name == "" || out.Shard.URL == "") {
		err = fmt.Errorf("the hub at %s gave an incomplete shard", c.Base)
	}
	return out.Shard, err
}

// Deregister removes the donor after it dropped everything.
func (c *Client) Deregister(ctx context.Context, uuid, token string) error {
	return c.doAuth(ctx, http.MethodDelete, "/api/v1/donors/"+url.PathEscape(uuid), token, nil, nil)
}

// UpdateDonor changes the donor's public record (display name, board).
func (c *Client) UpdateDonor(ctx context.Context, uuid, token, name string, showOnBoard bool) error {
	body, _ := json.Marshal(map[string]any{"name": name, "show_on_board": showOnBoard})
	return c.doAuth(ctx, http.MethodPatch, "/api/v1/donors/"+url.PathEscape(uuid), token, body, nil)
}

func (c *Client) do(ctx context.Context, method, path string, body []byte, out any) error {
	return c.doAuth(ctx, method, path, "", body, out)
}

func (c *Client) doAuth(ctx context.Context, method, path, token string, body []byte, out any) error {
	req, err := newRequest(ctx, method, c.Base+path, token, bytes.NewReader(body))
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
		msg, hubSaid := hubMessage(data)
		if resp.StatusCode == http.StatusNotFound && !hubSaid {
			return fmt.Errorf("%w (the hub at %s has no %s %s)", ErrNotSupported, c.Base, method, path)
		}
		if resp.StatusCode == http.StatusNotFound {
			return &NotFoundError{Base: c.Base, Msg: msg}
		}
		if resp.StatusCode == http.StatusConflict && (strings.HasSuffix(path, "/shards") || path == "/api/v1/donors") {
			return fmt.Errorf("%w: %s", ErrNoShardNeeded, msg)
		}
		if hubSaid {
			return fmt.Errorf("the hub at %s refused: %s", c.Base, msg)
		}
		return fmt.Errorf("the hub at %s answered %s: is this a Shardkeeper hub?", c.Base, resp.Status)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("the hub at %s sent an answer Shardkeeper does not understand: is this a Shardkeeper hub?", c.Base)
	}
	return nil
}

// rootCause strips Go's "Post \"url\": dial tcp ...:" wrapping to the part
// a person can act on ("connection refused").
func rootCause(err error) string {
	s := unwrapURL(err).Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return s
}

// ErrNoRestores: the hub has no restore endpoints (an older hub).
var ErrNoRestores = errors.New("the hub does not take restores yet")

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

// decodeStrict reads a 2xx answer into out, or turns the hub's refusal
// into an HTTPError.
func decodeStrict(resp *http.Response, out any) error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		msg, _ := hubMessage(data)
		return &HTTPError{Status: resp.StatusCode, Message: msg}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("the hub sent an answer Shardkeeper does not understand: %w", err)
	}
	return nil
}
