//go:build windows

package control

import "net"

// ListenLocal opens this OS's control endpoint for a home: a loopback TCP
// port with a per-start token written to endpointFile, which only the
// owner of the home can read.
func ListenLocal(socketPath, endpointFile string) (net.Listener, string, error) {
	ln, ep, err := ListenTCP(endpointFile)
	return ln, ep.Token, err
}

// NewLocalClient reaches the agent of a home through this OS's endpoint.
func NewLocalClient(socketPath, endpointFile string) *Client {
	return NewEndpointFileClient(endpointFile)
}
