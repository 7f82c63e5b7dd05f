//go:build !windows

package control

import "net"

// ListenLocal opens this OS's control endpoint for a home: the Unix socket
// (mode 0600). It returns the token clients must show ("" here).
func ListenLocal(socketPath, endpointFile string) (net.Listener, string, error) {
	ln, err := Listen(socketPath)
	return ln, "", err
}

// NewLocalClient reaches the agent of a home through this OS's endpoint.
func NewLocalClient(socketPath, endpointFile string) *Client {
	return NewClient(socketPath)
}
