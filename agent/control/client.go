package control

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/shardkeeper/shardkeeper/internal/version"
)

// Client reaches an agent's control endpoint. It implements API.
type Client struct {
	where   string // for messages: the socket or endpoint file
	resolve func() (Endpoint, error)
	http    *http.Client
}

var _ API = (*Client)(nil)

// callTimeout bounds a request that has no deadline of its own (event
// streams have none).
const callTimeout = 30 * time.Second

// NewClient returns a client for the Unix socket at path; nothing is
// dialled yet.
func NewClient(path string) *Client {
	return newClient(path, func() (Endpoint, error) { return Endpoint{Network: "unix", Address: path}, nil })
}

func newClient(where string, resolve func() (Endpoint, error)) *Client {
	c := &Client{where: where, resolve: resolve}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			ep, err := c.resolve()
			if err != nil {
				return nil, err
			}
			var d net.Dialer
			if ep.Network != "unix" {
				return d.DialContext(ctx, ep.Network, ep.Address)
			}
			var conn net.Conn
			err = withShortPath(ep.Address, func(p string) (err error) {
				conn, err = d.DialContext(ctx, ep.Network, p)
				return err
			})
			return conn, err
		},
	}
	c.http = &http.Client{Transport: tr}
	return c
}

// ErrNotRunning means no agent answers on the socket.
var ErrNotRunning = errors.New("the Shardkeeper agent is not running")

func (c *Client) Status(ctx context.Context) (Status, error) {
	var st Status
	err := c.call(ctx, http.MethodGet, "/v1/status", nil, &st)
	return st, err
}

func (c *Client) Pause(ctx context.Context) error {
	return c.call(ctx, http.MethodPost, "/v1/pause", nil, nil)
}

func (c *Client) PauseUntil(ctx context.Context, until time.Time) error {
	return c.call(ctx, http.MethodPost, "/v1/pause", PauseRequest{Until: &until}, nil)
}

func (c *Client) Resume(ctx context.Context) error {
	return c.call(ctx, http.MethodPost, "/v1/resume", nil, nil)
}

func (c *Client) PreviewBudget(ctx context.Context, l Limits) (BudgetPlan, error) {
	var p BudgetPlan
	err := c.call(ctx, http.MethodPost, "/v1/budget/preview", l, &p)
	return p, err
}

func (c *Client) SetBudget(ctx context.Context, l Limits) (BudgetPlan, error) {
	var p BudgetPlan
	err := c.call(ctx, http.MethodPut, "/v1/budget", l, &p)
	return p, err
}

func (c *Client) Files(ctx context.Context, q FileQuery) (FileList, error) {
	v := url.Values{}
	if q.Shard != "" {
		v.Set("shard", q.Shard)
	}
	if q.Filter != "" {
		v.Set("filter", q.Filter)
	}
	if q.HeldOnly {
		v.Set("held", "true")
	}
	if q.Offset > 0 {
		v.Set("offset", strconv.Itoa(q.Offset))
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	var list FileList
	err := c.call(ctx, http.MethodGet, "/v1/files?"+v.Encode(), nil, &list)
	return list, err
}

func (c *Client) Release(ctx context.Context, shard, path string) error {
	return c.call(ctx, http.MethodPost, "/v1/release", ReleaseRequest{Shard: shard, Path: path}, nil)
}

func (c *Client) Verify(ctx context.Context) error {
	return c.call(ctx, http.MethodPost, "/v1/verify", nil, nil)
}

func (c *Client) Settings(ctx context.Context) (Settings, error) {
	var s Settings
	err := c.call(ctx, http.MethodGet, "/v1/settings", nil, &s)
	return s, err
}

func (c *Client) UpdateSettings(ctx context.Context, s Settings) error {
	return c.call(ctx, http.MethodPut, "/v1/settings", s, nil)
}

func (c *Client) LogTail(ctx context.Context, lines int) ([]string, error) {
	var out []string
	err := c.call(ctx, http.MethodGet, "/v1/log?lines="+strconv.Itoa(lines), nil, &out)
	return out, err
}

func (c *Client) Leave(ctx context.Context) error {
	return c.call(ctx, http.MethodPost, "/v1/leave", nil, nil)
}

func (c *Client) AddStorage(ctx context.Context, path string, budgetBytes int64) (Location, error) {
	var l Location
	err := c.call(ctx, http.MethodPost, "/v1/storage", StorageRequest{Path: path, BudgetBytes: budgetBytes}, &l)
	return l, err
}

func (c *Client) RemoveStorage(ctx context.Context, path string) error {
	return c.call(ctx, http.MethodPost, "/v1/storage/remove", StorageRequest{Path: path}, nil)
}

// LeaveBy is Leave with a deadline after which files that still lack
// copies are given back too.
func (c *Client) LeaveBy(ctx context.Context, deadline time.Time) error {
	return c.call(ctx, http.MethodPost, "/v1/leave", LeaveRequest{Deadline: &deadline}, nil)
}

// Events streams the agent's events (recent history first) until ctx
// ends or the agent goes away; then the channel closes.
func (c *Client) Events(ctx context.Context) (<-chan Event, error) {
	resp, err := c.do(ctx, http.MethodGet, "/v1/events", nil)
	if err != nil {
		return nil, err
	}
	ch := make(chan Event, 64)
	go func() {
		defer close(ch)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			var ev Event
			if json.Unmarshal(sc.Bytes(), &ev) != nil {
				continue
			}
			select {
			case ch <- ev:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch, nil
}

// httpError is an answer other than 200, kept so callers can match it.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func (e *httpError) Unwrap() error {
	switch e.status {
	case http.StatusBadRequest:
		return ErrInvalid
	case http.StatusNotFound:
		return ErrNotFound
	case http.StatusConflict:
		return ErrConflict
	}
	return nil
}

func (c *Client) call(ctx context.Context, method, path string, body, out any) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, callTimeout)
		defer cancel()
	}
	resp, err := c.do(ctx, method, path, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("read the agent's answer: %w", err)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

// do sends a request and returns a 200 response; anything else becomes an
// error carrying the agent's message.
func (c *Client) do(ctx context.Context, method, path string, body any) (*http.Response, error) {
	ep, err := c.resolve()
	if err != nil {
		return nil, err
	}
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://agent"+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if ep.Token != "" {
		req.Header.Set("Authorization", "Bearer "+ep.Token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var op *net.OpError
		if errors.Is(err, os.ErrPermission) {
			return nil, fmt.Errorf("the agent at %s refused this user (permission denied): it belongs to another user", c.where)
		}
		if errors.As(err, &op) && op.Op == "dial" {
			return nil, fmt.Errorf("%w (no answer on %s)", ErrNotRunning, c.where)
		}
		if errors.Is(err, ErrNotRunning) {
			return nil, err
		}
		return nil, fmt.Errorf("ask the agent: %w", err)
	}
	if resp.StatusCode == http.StatusOK {
		return resp, nil
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var e errorBody
	if json.Unmarshal(data, &e) == nil && e.Error != "" {
		return nil, &httpError{resp.StatusCode, e.Error}
	}
	if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed {
		// The agent does not know this request at all: it is another version.
		return nil, &httpError{resp.StatusCode, versionMismatch(resp.Header.Get(VersionHeader), version.String())}
	}
	return nil, &httpError{resp.StatusCode, fmt.Sprintf("the agent answered %s", resp.Status)}
}

// Version asks the running agent for its version (agents before 0.1.0
// have none: ErrNotFound).
func (c *Client) Version(ctx context.Context) (string, error) {
	var v VersionInfo
	err := c.call(ctx, http.MethodGet, "/v1/version", nil, &v)
	return v.Version, err
}

// versionMismatch says, on one line, that the running agent is another
// version than this program and what to do about it.
func versionMismatch(agent, mine string) string {
	if agent == "" {
		agent = "an older version"
	} else {
		agent = "version " + agent
	}
	if agent == "version "+mine {
		return "the agent does not know this request although it reports the same version (" + mine + "): restart it (quit the Shardkeeper app, or `shardkeeper service stop` then `start`)"
	}
	return "the running agent is " + agent + " and this shardkeeper is version " + mine +
		": restart the agent so both are the same (quit and reopen the Shardkeeper app, or `shardkeeper service stop` then `shardkeeper service start`)"
}
