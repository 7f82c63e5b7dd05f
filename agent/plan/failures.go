package plan

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/home"
)

// Politeness toward the archive: how a failing file, and a busy archive,
// are retried. Never in a tight loop; every wait has jitter so donors do
// not come back all at once.
const (
	MaxTries       = 3                // failures before a file is skipped
	RetryBase      = 2 * time.Minute  // first retry of a file, then x4 each time
	SkipFor        = 24 * time.Hour   // a skipped file is tried again after this
	hostBackoffMin = 30 * time.Second // first pause after the archive says "busy"
	hostBackoffMax = 30 * time.Minute
	busyStreak     = 3 // consecutive 5xx/timeouts that mean the archive is busy
)

// Failure is what the agent remembers of a file that did not download.
type Failure struct {
	Shard     string    `json:"shard"`
	Count     int       `json:"count"`
	Last      time.Time `json:"last"`
	NextTry   time.Time `json:"next_try"`
	LastError string    `json:"last_error"`
	Skipped   bool      `json:"skipped,omitempty"`
}

// hostBackoff is a pause of all downloads after the archive said it is
// busy (429, or several 5xx or timeouts in a row).
type hostBackoff struct {
	Until  time.Time `json:"until,omitzero"`
	Level  int       `json:"level"`
	Streak int       `json:"streak"`
	Reason string    `json:"reason,omitempty"`
}

// failureBook is persisted in the home, so a restart does not retry
// failing files at once.
type failureBook struct {
	Keys map[string]*Failure `json:"keys"`
	Host hostBackoff         `json:"host"`
}

// Failures is the planner's memory of failed downloads and of the
// archive's backoff. It owns its lock; it is saved to one file.
type Failures struct {
	mu   sync.Mutex
	path string
	b    failureBook
}

// LoadFailures reads the book saved at path (none yet: an empty one).
func LoadFailures(path string) (*Failures, error) {
	f := &Failures{path: path}
	err := home.ReadJSON(path, &f.b)
	if errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	if f.b.Keys == nil {
		f.b.Keys = map[string]*Failure{}
	}
	return f, err
}

// NewFailures is an empty book that is not saved (tests).
func NewFailures() *Failures {
	return &Failures{b: failureBook{Keys: map[string]*Failure{}}}
}

// Save writes the book to its file.
func (f *Failures) Save() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.path == "" {
		return nil
	}
	return home.WriteJSON(f.path, f.b)
}

// Failed records a failed download and returns what is known of the file
// now (Skipped: given up on for a while).
func (f *Failures) Failed(shard, key, msg string, now time.Time) Failure {
	f.mu.Lock()
	defer f.mu.Unlock()
	return *f.b.failed(shard, key, msg, now)
}

// Succeeded forgets a file's failures; it reports whether there were any.
func (f *Failures) Succeeded(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.b.succeeded(key)
}

// Waiting reports whether a file must not be tried yet.
func (f *Failures) Waiting(key string, now time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.b.waiting(key, now)
}

// Skipped counts the files given up on for now.
func (f *Failures) Skipped(now time.Time) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.b.skipped(now)
}

// Of is what is known of one file's failures.
func (f *Failures) Of(key string) (Failure, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if x := f.b.Keys[key]; x != nil {
		return *x, true
	}
	return Failure{}, false
}

// Answer records what the archive answered; started is true when a new
// backoff began, until and reason say the backoff now.
func (f *Failures) Answer(status int, retryAfter time.Duration, failedToConnect bool, now time.Time) (started bool, until time.Time, reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	started = f.b.answer(status, retryAfter, failedToConnect, now)
	return started, f.b.Host.Until, f.b.Host.Reason
}

// HostBackoff is when downloads may start again after the archive said it
// is busy (zero: no backoff), and why.
func (f *Failures) HostBackoff() (until time.Time, reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.b.Host.Until, f.b.Host.Reason
}

// Jitter spreads d over [d/2, 3d/2).
func Jitter(d time.Duration) time.Duration {
	return d/2 + time.Duration(rand.Int64N(int64(d)+1))
}

// failed records a failed download and says whether the file is now
// skipped.
func (b *failureBook) failed(shard, key, msg string, now time.Time) *Failure {
	f := b.Keys[key]
	if f == nil {
		f = &Failure{Shard: shard}
		b.Keys[key] = f
	}
	f.Count++
	f.Last, f.LastError = now, msg
	if f.Count >= MaxTries {
		f.Skipped = true
		f.NextTry = now.Add(Jitter(SkipFor))
		return f
	}
	f.NextTry = now.Add(Jitter(RetryBase << (2 * (f.Count - 1))))
	return f
}

// succeeded forgets a file's failures.
func (b *failureBook) succeeded(key string) bool {
	if _, ok := b.Keys[key]; !ok {
		return false
	}
	delete(b.Keys, key)
	return true
}

// waiting reports whether a file must not be tried yet.
func (b *failureBook) waiting(key string, now time.Time) bool {
	f := b.Keys[key]
	return f != nil && now.Before(f.NextTry)
}

// skipped counts the files given up on for now.
func (b *failureBook) skipped(now time.Time) int {
	n := 0
	for _, f := range b.Keys {
		if f.Skipped && now.Before(f.NextTry) {
			n++
		}
	}
	return n
}

// answer records what the archive answered; it returns true when a new
// backoff started.
func (b *failureBook) answer(status int, retryAfter time.Duration, failedToConnect bool, now time.Time) bool {
	switch {
	case status == 429:
		return b.backoff("the archive asked us to slow down (429)", retryAfter, now)
	case status >= 500 || failedToConnect:
		b.Host.Streak++
		if b.Host.Streak >= busyStreak {
			b.Host.Streak = 0
			return b.backoff("the archive is not answering well (server errors or timeouts)", retryAfter, now)
		}
	case status >= 200 && status < 400:
		b.Host.Streak, b.Host.Level = 0, 0
	}
	return false
}

func (b *failureBook) backoff(reason string, retryAfter time.Duration, now time.Time) bool {
	d := min(hostBackoffMin<<min(b.Host.Level, 10), hostBackoffMax)
	d = max(Jitter(d), min(retryAfter, time.Hour))
	b.Host.Level++
	until := now.Add(d)
	started := !now.Before(b.Host.Until)
	if until.After(b.Host.Until) {
		b.Host.Until = until
	}
	b.Host.Reason = reason
	return started
}

// Classify names the kind of a download failure from git-annex's
// messages: "space" (the drive is full), "busy" (the archive is
// overloaded or unreachable) or "file" (this file's own problem).
func Classify(msgs []string, note string) string {
	text := strings.ToLower(strings.Join(msgs, " ") + " " + note)
	switch {
	case strings.Contains(text, "not enough free space"):
		return "space"
	case strings.Contains(text, "too many requests"), strings.Contains(text, "service unavailable"),
		strings.Contains(text, "bad gateway"), strings.Contains(text, "gateway timeout"),
		strings.Contains(text, "internal server error"), strings.Contains(text, "timeout"),
		strings.Contains(text, "connection refused"), strings.Contains(text, "connectionfailure"):
		return "busy"
	}
	return "file"
}

// FailureText is the one line a donor reads about a failure.
func FailureText(msgs []string, note string) string {
	for _, m := range msgs {
		if m = strings.TrimSpace(m); m != "" && !strings.HasPrefix(m, "downloading from all") {
			return m
		}
	}
	if note = strings.TrimSpace(strings.ReplaceAll(note, "\n", " ")); note != "" {
		return note
	}
	return "download failed"
}
