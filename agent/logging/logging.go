// Package logging is the agent's structured log: log/slog text lines in a
// size-rotated file in the donor's home, with secrets redacted.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/natefinch/lumberjack.v2"
)

// Rotation keeps the log small on a donor's disk: a few files of a few MB.
const (
	MaxSizeMB  = 5
	MaxBackups = 3
)

// Open logs to path, rotated by size, and also to extra when not nil.
// Values equal to any of secrets, and anything after "Bearer ", never reach
// the log. Close the returned closer when done.
func Open(path string, extra io.Writer, secrets ...string) (*slog.Logger, io.Closer, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, nil, fmt.Errorf("create log folder: %w", err)
	}
	// lumberjack creates the file lazily: create it now, owner-only, so
	// a problem shows at start and the mode is right.
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("open log %s: %w", path, err)
	}
	f.Close()
	rot := &lumberjack.Logger{Filename: path, MaxSize: MaxSizeMB, MaxBackups: MaxBackups}
	var w io.Writer = rot
	if extra != nil {
		w = io.MultiWriter(rot, extra)
	}
	return New(w, secrets...), rot, nil
}

// New is a logger on w with the same redaction as Open.
func New(w io.Writer, secrets ...string) *slog.Logger {
	r := NewRedactor(secrets...)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo, ReplaceAttr: r.attr}))
}

// Redactor removes secrets from log attributes.
type Redactor struct{ secrets []string }

var bearer = regexp.MustCompile(`(?i)(bearer\s+)[^\s"']+`)

// sensitiveKeys are attribute names whose values are never logged.
var sensitiveKeys = map[string]bool{"token": true, "authorization": true, "password": true, "secret": true}

// NewRedactor redacts the given secrets (empty ones are ignored).
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	for _, s := range secrets {
		if len(s) >= 4 {
			r.secrets = append(r.secrets, s)
		}
	}
	return r
}

// String returns s with every secret replaced.
func (r *Redactor) String(s string) string {
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, "[redacted]")
	}
	return bearer.ReplaceAllString(s, "${1}[redacted]")
}

func (r *Redactor) attr(groups []string, a slog.Attr) slog.Attr {
	if sensitiveKeys[strings.ToLower(a.Key)] {
		return slog.String(a.Key, "[redacted]")
	}
	switch a.Value.Kind() {
	case slog.KindString:
		return slog.String(a.Key, r.String(a.Value.String()))
	case slog.KindAny:
		switch v := a.Value.Any().(type) {
		case error:
			return slog.String(a.Key, r.String(v.Error()))
		case fmt.Stringer:
			return slog.String(a.Key, r.String(v.String()))
		case []string:
			out := make([]string, len(v))
			for i, s := range v {
				out[i] = r.String(s)
			}
			return slog.Any(a.Key, out)
		}
	}
	return a
}
