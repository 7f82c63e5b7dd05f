package server

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// DefaultRegisterLimit is how many registrations one address may make per
// hour (a burst of that many, refilled evenly over the hour). A volunteer
// registers once per machine; a household or an office behind one address
// a few times. A script registering thousands of donors is refused.
const DefaultRegisterLimit = 20

// maxBodyBytes bounds every request body but a push's and a restore
// upload's (which have their own limits): JSON bodies are small.
const maxBodyBytes = 1 << 20

// rateLimiter is a token bucket per client address.
type rateLimiter struct {
	perHour float64
	now     func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(perHour int, now func() time.Time) *rateLimiter {
	return &rateLimiter{perHour: float64(perHour), now: now, buckets: map[string]*bucket{}}
}

// allow takes a token for addr, or says how long until one is free.
func (l *rateLimiter) allow(addr string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[addr]
	if b == nil {
		if len(l.buckets) > 100000 { // bounded memory: forget full buckets
			for k, v := range l.buckets {
				if now.Sub(v.last) > time.Hour {
					delete(l.buckets, k)
				}
			}
		}
		b = &bucket{tokens: l.perHour, last: now}
		l.buckets[addr] = b
	}
	b.tokens = math.Min(l.perHour, b.tokens+now.Sub(b.last).Hours()*l.perHour)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.perHour * float64(time.Hour))
}

// limitRegistrations answers 429 with Retry-After when an address
// registers more often than the limit allows.
func (s *Server) limitRegistrations(next http.HandlerFunc) http.HandlerFunc {
	if s.cfg.RegisterLimit < 0 {
		return next
	}
	return func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		if ok, wait := s.regLimit.allow(host); !ok {
			secs := int(wait.Seconds()) + 1
			w.Header().Set("Retry-After", fmt.Sprint(secs))
			writeError(w, http.StatusTooManyRequests,
				fmt.Sprintf("too many registrations from your address; try again in %d seconds", secs))
			return
		}
		next(w, r)
	}
}

// limitBodies bounds the body of every request but git pushes and
// restore uploads, which bound their own.
func limitBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && !isBulkUpload(r) {
			if r.ContentLength > maxBodyBytes {
				writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is too large: at most %d bytes", maxBodyBytes))
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

// isBulkUpload is a request whose body is data, not JSON: git smart HTTP
// and restore uploads.
func isBulkUpload(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/git/") || (r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/restores/"))
}
