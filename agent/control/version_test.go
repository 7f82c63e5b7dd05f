package control

import (
	"context"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shardkeeper/shardkeeper/internal/version"
)

func TestAgentSaysItsVersion(t *testing.T) {
	_, c, _ := serveFake(t)
	v, err := c.Version(t.Context())
	if err != nil || v != version.String() {
		t.Fatalf("version %q %v, want %q", v, err, version.String())
	}
}

// serveOther runs an agent of another version: it knows no request at all,
// as an older agent does not know a newer CLI's requests.
func serveOther(t *testing.T, agentVersion string) *Client {
	t.Helper()
	path := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if agentVersion != "" {
			w.Header().Set(VersionHeader, agentVersion)
		}
		http.NotFound(w, r)
	})
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	return NewClient(path)
}

func TestOtherAgentVersionIsOneClearLine(t *testing.T) {
	mine := version.String()
	for _, tc := range []struct{ agent, want string }{
		{"", "the running agent is an older version and this shardkeeper is version " + mine + ": restart the agent"},
		{"9.9.9", "the running agent is version 9.9.9 and this shardkeeper is version " + mine + ": restart the agent"},
	} {
		err := serveOther(t, tc.agent).Verify(t.Context())
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("agent %q: %v, want one line starting %q", tc.agent, err, tc.want)
		}
		if strings.Contains(err.Error(), "404") {
			t.Errorf("agent %q: the message shows the bare status: %v", tc.agent, err)
		}
	}
	// A 404 the agent means (a file it does not know) keeps its own words.
	_, c, _ := serveFake(t)
	if err := c.Release(t.Context(), "s", "missing"); !errors.Is(err, ErrNotFound) || strings.Contains(err.Error(), "version") {
		t.Errorf("release of a missing file: %v", err)
	}
}
