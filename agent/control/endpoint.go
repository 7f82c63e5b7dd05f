package control

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/shardkeeper/shardkeeper/internal/atomicfile"
)

// Endpoint is where a client reaches an agent, and the token it must show.
// On Linux and macOS it is the home's Unix socket (no token: the socket's
// 0600 mode keeps others out); on Windows a loopback TCP port, which any
// local user could reach, so the agent writes a random per-start token into
// a file in the home that only its owner can read.
type Endpoint struct {
	Network string `json:"network"` // "unix" or "tcp"
	Address string `json:"address"`
	Token   string `json:"token,omitempty"`
}

// ListenTCP listens on a free loopback port with a fresh token and writes
// the endpoint to file (owner-only). It refuses when a live agent answers
// at the endpoint the file names.
func ListenTCP(file string) (net.Listener, Endpoint, error) {
	if old, err := ReadEndpoint(file); err == nil && alive(old) {
		return nil, Endpoint{}, fmt.Errorf("%w (endpoint %s)", ErrAgentRunning, file)
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return nil, Endpoint{}, fmt.Errorf("make a control token: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, Endpoint{}, fmt.Errorf("open control port on loopback: %w", err)
	}
	ep := Endpoint{Network: "tcp", Address: ln.Addr().String(), Token: hex.EncodeToString(buf)}
	data, _ := json.Marshal(ep)
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		ln.Close()
		return nil, Endpoint{}, fmt.Errorf("write control endpoint: %w", err)
	}
	if err := atomicfile.Write(file, data, 0o600); err != nil {
		ln.Close()
		return nil, Endpoint{}, fmt.Errorf("write control endpoint %s: %w", file, err)
	}
	return ln, ep, nil
}

// ReadEndpoint reads what ListenTCP wrote.
func ReadEndpoint(file string) (Endpoint, error) {
	var ep Endpoint
	data, err := os.ReadFile(file)
	if err != nil {
		return ep, err
	}
	if err := json.Unmarshal(data, &ep); err != nil || ep.Address == "" {
		return ep, fmt.Errorf("control endpoint %s is damaged", file)
	}
	return ep, nil
}

// alive reports whether an agent answers, with this token, at ep (a port
// may have been reused by another program since a crash).
func alive(ep Endpoint) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := NewEndpointClient(ep).Status(ctx)
	if err == nil {
		return true
	}
	var he *httpError
	return errors.As(err, &he) && he.status != http.StatusUnauthorized
}

// NewEndpointClient returns a client for a fixed endpoint.
func NewEndpointClient(ep Endpoint) *Client {
	return newClient(ep.Address, func() (Endpoint, error) { return ep, nil })
}

// NewEndpointFileClient returns a client that reads the endpoint file at
// every call (a restarted agent has a new port and token).
func NewEndpointFileClient(file string) *Client {
	return newClient(file, func() (Endpoint, error) {
		ep, err := ReadEndpoint(file)
		if errors.Is(err, fs.ErrNotExist) {
			return ep, fmt.Errorf("%w (no endpoint file %s)", ErrNotRunning, file)
		}
		return ep, err
	})
}
