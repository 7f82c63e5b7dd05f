package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

// ErrAgentRunning means another agent already serves this home.
var ErrAgentRunning = errors.New("an agent is already running for this home")

// Listen opens the control socket at path, readable and writable by the
// owner only, so another user's (or another donor's) CLI cannot reach it. A
// socket left behind by a crashed agent is replaced; a live one is not.
func Listen(path string) (net.Listener, error) {
	if _, err := os.Stat(path); err == nil {
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, fmt.Errorf("%w (socket %s)", ErrAgentRunning, path)
		}
		os.Remove(path)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("open control socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("protect control socket %s: %w", path, err)
	}
	return ln, nil
}

// Handler serves api over HTTP+JSON.
func Handler(api API) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/status", func(w http.ResponseWriter, r *http.Request) {
		st, err := api.Status(r.Context())
		reply(w, st, err)
	})
	mux.HandleFunc("POST /v1/pause", func(w http.ResponseWriter, r *http.Request) {
		reply(w, struct{}{}, api.Pause(r.Context()))
	})
	mux.HandleFunc("POST /v1/resume", func(w http.ResponseWriter, r *http.Request) {
		reply(w, struct{}{}, api.Resume(r.Context()))
	})
	return mux
}

// Serve answers control requests on ln until ctx ends.
func Serve(ctx context.Context, ln net.Listener, api API) error {
	srv := &http.Server{Handler: Handler(api), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	err := srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

type errorBody struct {
	Error string `json:"error"`
}

func reply(w http.ResponseWriter, v any, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		json.NewEncoder(w).Encode(errorBody{err.Error()})
		return
	}
	json.NewEncoder(w).Encode(v)
}
