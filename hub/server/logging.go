package server

import (
	"context"
	"net/http"
	"time"
)

// requestNote is what a handler adds to its request's log line.
type requestNote struct{ donor string }

type noteKey struct{}

// noteDonor names the donor in the request's log line.
func noteDonor(r *http.Request, uuid string) {
	if n, ok := r.Context().Value(noteKey{}).(*requestNote); ok {
		n.donor = uuid
	}
}

// logRequests logs one line per request: method, path (never the query or
// headers, so never a token), status, size, duration and donor.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		note := &requestNote{}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), noteKey{}, note)))
		attrs := []any{"method", r.Method, "path", r.URL.Path, "status", rec.status,
			"bytes", rec.bytes, "duration", time.Since(start).Round(time.Millisecond), "remote", r.RemoteAddr}
		if note.donor != "" {
			attrs = append(attrs, "donor", note.donor)
		}
		s.log.Info("request", attrs...)
	})
}

// recorder remembers the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Flush passes flushes through, for git's streamed responses.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
