package control

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/shardkeeper/shardkeeper/internal/version"
)

// ErrAgentRunning means another agent already serves this home.
var ErrAgentRunning = errors.New("an agent is already running for this home")

// Errors an API implementation returns to get a 4xx answer; the client
// turns them back into errors that match with errors.Is.
var (
	ErrInvalid  = errors.New("invalid request")
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("not possible now")
)

// Listen opens the control socket at path, readable and writable by the
// owner only, so another user's (or another donor's) CLI cannot reach it. A
// socket left behind by a crashed agent is replaced; a live one is not.
func Listen(path string) (net.Listener, error) {
	if _, err := os.Stat(path); err == nil {
		running := withShortPath(path, func(p string) error {
			c, err := net.DialTimeout("unix", p, time.Second)
			if err == nil {
				c.Close()
			}
			return err
		}) == nil
		if running {
			return nil, fmt.Errorf("%w (socket %s)", ErrAgentRunning, path)
		}
		os.Remove(path)
	}
	var ln net.Listener
	err := withShortPath(path, func(p string) (err error) {
		ln, err = net.Listen("unix", p)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open control socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("protect control socket %s: %w", path, err)
	}
	return ln, nil
}

// LeaveRequest is the optional body of POST /v1/leave.
type LeaveRequest struct {
	Deadline *time.Time `json:"deadline,omitempty"`
}

// PauseRequest is the optional body of POST /v1/pause.
type PauseRequest struct {
	Until *time.Time `json:"until,omitempty"`
}

// ReleaseRequest is the body of POST /v1/release.
type ReleaseRequest struct {
	Shard string `json:"shard,omitempty"`
	Path  string `json:"path"`
}

// StorageRequest is the body of POST /v1/storage (add) and POST
// /v1/storage/remove.
type StorageRequest struct {
	Path        string `json:"path"`
	BudgetBytes int64  `json:"budget_bytes,omitempty"`
}

// LeaverBy is implemented by agents that take a deadline for Leave; the
// server uses it when a client sends one.
type LeaverBy interface {
	LeaveBy(ctx context.Context, deadline time.Time) error
}

// Handler serves api over HTTP+JSON. A non-empty token is required as
// "Authorization: Bearer <token>" on every request (loopback TCP, where the
// socket's file permissions cannot keep other users out).
func Handler(api API, token string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/status", func(w http.ResponseWriter, r *http.Request) {
		st, err := api.Status(r.Context())
		reply(w, st, err)
	})
	mux.HandleFunc("POST /v1/pause", func(w http.ResponseWriter, r *http.Request) {
		var req PauseRequest
		if !readBody(w, r, &req) {
			return
		}
		if req.Until != nil {
			reply(w, struct{}{}, api.PauseUntil(r.Context(), *req.Until))
			return
		}
		reply(w, struct{}{}, api.Pause(r.Context()))
	})
	mux.HandleFunc("POST /v1/resume", func(w http.ResponseWriter, r *http.Request) {
		reply(w, struct{}{}, api.Resume(r.Context()))
	})
	mux.HandleFunc("POST /v1/budget/preview", func(w http.ResponseWriter, r *http.Request) {
		var l Limits
		if readBody(w, r, &l) {
			p, err := api.PreviewBudget(r.Context(), l)
			reply(w, p, err)
		}
	})
	mux.HandleFunc("PUT /v1/budget", func(w http.ResponseWriter, r *http.Request) {
		var l Limits
		if readBody(w, r, &l) {
			p, err := api.SetBudget(r.Context(), l)
			reply(w, p, err)
		}
	})
	mux.HandleFunc("GET /v1/files", func(w http.ResponseWriter, r *http.Request) {
		q, err := parseFileQuery(r)
		if err != nil {
			reply(w, nil, err)
			return
		}
		list, err := api.Files(r.Context(), q)
		reply(w, list, err)
	})
	mux.HandleFunc("POST /v1/release", func(w http.ResponseWriter, r *http.Request) {
		var req ReleaseRequest
		if readBody(w, r, &req) {
			reply(w, struct{}{}, api.Release(r.Context(), req.Shard, req.Path))
		}
	})
	mux.HandleFunc("POST /v1/verify", func(w http.ResponseWriter, r *http.Request) {
		reply(w, struct{}{}, api.Verify(r.Context()))
	})
	mux.HandleFunc("GET /v1/settings", func(w http.ResponseWriter, r *http.Request) {
		s, err := api.Settings(r.Context())
		reply(w, s, err)
	})
	mux.HandleFunc("PUT /v1/settings", func(w http.ResponseWriter, r *http.Request) {
		s := Settings{KeepRemovedFiles: true} // a client that does not know it keeps the default
		if readBody(w, r, &s) {
			reply(w, struct{}{}, api.UpdateSettings(r.Context(), s))
		}
	})
	mux.HandleFunc("GET /v1/events", func(w http.ResponseWriter, r *http.Request) {
		streamEvents(w, r, api)
	})
	mux.HandleFunc("GET /v1/log", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("lines"))
		lines, err := api.LogTail(r.Context(), n)
		if lines == nil {
			lines = []string{}
		}
		reply(w, lines, err)
	})
	mux.HandleFunc("POST /v1/storage", func(w http.ResponseWriter, r *http.Request) {
		var req StorageRequest
		if readBody(w, r, &req) {
			l, err := api.AddStorage(r.Context(), req.Path, req.BudgetBytes)
			reply(w, l, err)
		}
	})
	mux.HandleFunc("POST /v1/storage/remove", func(w http.ResponseWriter, r *http.Request) {
		var req StorageRequest
		if readBody(w, r, &req) {
			reply(w, struct{}{}, api.RemoveStorage(r.Context(), req.Path))
		}
	})
	mux.HandleFunc("POST /v1/leave", func(w http.ResponseWriter, r *http.Request) {
		var req LeaveRequest
		if !readBody(w, r, &req) {
			return
		}
		if lb, ok := api.(LeaverBy); ok && req.Deadline != nil {
			reply(w, struct{}{}, lb.LeaveBy(r.Context(), *req.Deadline))
			return
		}
		reply(w, struct{}{}, api.Leave(r.Context()))
	})
	handleShards(mux, api)
	mux.HandleFunc("GET /v1/version", func(w http.ResponseWriter, r *http.Request) {
		reply(w, VersionInfo{Version: version.String()}, nil)
	})
	var h http.Handler = mux
	if token != "" {
		h = requireToken(token, mux)
	}
	return sayVersion(h)
}

// VersionHeader carries the agent's version on every answer, so a client
// of another version can tell why a request is unknown.
const VersionHeader = "Shardkeeper-Version"

// VersionInfo is the answer of GET /v1/version.
type VersionInfo struct {
	Version string `json:"version"`
}

func sayVersion(next http.Handler) http.Handler {
	v := version.String()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(VersionHeader, v)
		next.ServeHTTP(w, r)
	})
}

// requireToken refuses requests without the agent's token.
func requireToken(token string, next http.Handler) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			writeError(w, http.StatusUnauthorized, "this agent belongs to another donor home or user (wrong token)")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// streamEvents writes events as NDJSON, one object per line, flushed as
// they come, until the client goes away.
func streamEvents(w http.ResponseWriter, r *http.Request, api API) {
	ch, err := api.Events(r.Context())
	if err != nil {
		reply(w, nil, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	if flusher != nil {
		flusher.Flush()
	}
	enc := json.NewEncoder(w)
	for {
		select {
		case <-r.Context().Done():
			return
		case ev, ok := <-ch:
			if !ok {
				return
			}
			if enc.Encode(ev) != nil {
				return
			}
			if flusher != nil {
				flusher.Flush()
			}
		}
	}
}

func parseFileQuery(r *http.Request) (FileQuery, error) {
	v := r.URL.Query()
	q := FileQuery{Shard: v.Get("shard"), Filter: v.Get("filter")}
	q.HeldOnly, _ = strconv.ParseBool(v.Get("held"))
	var err error
	if s := v.Get("offset"); s != "" {
		if q.Offset, err = strconv.Atoi(s); err != nil || q.Offset < 0 {
			return q, Invalidf("offset %q is not a number", s)
		}
	}
	if s := v.Get("limit"); s != "" {
		if q.Limit, err = strconv.Atoi(s); err != nil || q.Limit < 0 {
			return q, Invalidf("limit %q is not a number", s)
		}
	}
	return q, nil
}

// Serve answers control requests on ln until ctx ends.
func Serve(ctx context.Context, ln net.Listener, api API) error {
	return ServeToken(ctx, ln, api, "")
}

// ServeToken is Serve with a required token (see Handler).
func ServeToken(ctx context.Context, ln net.Listener, api API, token string) error {
	srv := &http.Server{Handler: Handler(api, token), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		srv.Close() // event streams never end by themselves
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

// readBody decodes an optional JSON body; an empty body leaves v alone.
func readBody(w http.ResponseWriter, r *http.Request, v any) bool {
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v)
	if err != nil && err.Error() != "EOF" {
		writeError(w, http.StatusBadRequest, "the request body is not the JSON this agent expects: "+err.Error())
		return false
	}
	return true
}

func reply(w http.ResponseWriter, v any, err error) {
	if err != nil {
		status := http.StatusInternalServerError
		switch {
		case errors.Is(err, ErrInvalid):
			status = http.StatusBadRequest
		case errors.Is(err, ErrNotFound):
			status = http.StatusNotFound
		case errors.Is(err, ErrConflict):
			status = http.StatusConflict
		}
		writeError(w, status, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(errorBody{msg})
}

// kindError is a message that matches one of ErrInvalid, ErrNotFound or
// ErrConflict without repeating its text.
type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string        { return e.msg }
func (e *kindError) Is(target error) bool { return target == e.kind }

// Invalidf is an ErrInvalid with a message for the donor.
func Invalidf(format string, args ...any) error {
	return &kindError{ErrInvalid, fmt.Sprintf(format, args...)}
}

// NotFoundf is an ErrNotFound with a message for the donor.
func NotFoundf(format string, args ...any) error {
	return &kindError{ErrNotFound, fmt.Sprintf(format, args...)}
}

// Conflictf is an ErrConflict with a message for the donor.
func Conflictf(format string, args ...any) error {
	return &kindError{ErrConflict, fmt.Sprintf(format, args...)}
}
