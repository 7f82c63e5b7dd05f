package webproxy

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

func client(p *Proxy) *http.Client {
	u, _ := url.Parse(p.URL())
	return &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(u)}}
}

func TestProxyLimitsRateLoosely(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 300<<10)
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	defer origin.Close()
	p, err := Start(Options{AllowPrivate: true, Limiter: NewLimiter(100 << 10)})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	start := time.Now()
	resp, err := client(p).Get(origin.URL + "/f")
	if err != nil {
		t.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	rate := float64(n) / took.Seconds()
	t.Logf("300 KiB at a 100 KiB/s limit: %v (%.0f KiB/s)", took, rate/1024)
	if n != int64(len(body)) {
		t.Fatalf("got %d bytes", n)
	}
	// Loose: the limit may be exceeded by a burst, never doubled.
	if rate > 2*100<<10 {
		t.Errorf("%.0f KiB/s through a 100 KiB/s limit", rate/1024)
	}
}

func TestProxyRefusesPrivateAndReportsStatus(t *testing.T) {
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer origin.Close()
	var mu sync.Mutex
	var seen []Response
	report := func(r Response) { mu.Lock(); seen = append(seen, r); mu.Unlock() }

	strict, err := Start(Options{OnResponse: report})
	if err != nil {
		t.Fatal(err)
	}
	defer strict.Close()
	resp, err := client(strict).Get(origin.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("loopback origin through a strict proxy: %s, want 403", resp.Status)
	}

	open, err := Start(Options{AllowPrivate: true, OnResponse: report})
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	resp, err = client(open).Get(origin.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 || seen[0].Err == nil || seen[1].Status != 503 || seen[1].RetryAfter != "7" {
		t.Errorf("reports %+v", seen)
	}
}

// TestProxyCutsOffAnOriginThatStalls: an origin that sends half a body and
// then nothing is cut off after StallAfter: the download fails (it does
// not hang), the origin's request ends, and the agent is told.
func TestProxyCutsOffAnOriginThatStalls(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 16<<10)
	originDone := make(chan struct{})
	release := make(chan struct{})
	defer close(release)
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "16384")
		w.Write(body[:8<<10])
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			close(originDone)
		case <-release:
		}
	}))
	defer origin.Close()
	var mu sync.Mutex
	var stalls int
	n, err := fetchThrough(t, origin.URL+"/f", Options{AllowPrivate: true, StallAfter: 300 * time.Millisecond, OnResponse: func(r Response) {
		if r.Err == ErrStalled {
			mu.Lock()
			stalls++
			mu.Unlock()
		}
	}})
	if err == nil || n == int64(len(body)) {
		t.Fatalf("a stalled download ended with %d bytes and no error", n)
	}
	select {
	case <-originDone:
	case <-time.After(time.Minute):
		t.Fatal("the origin's stalled request was never ended")
	}
	mu.Lock()
	defer mu.Unlock()
	if stalls != 1 {
		t.Errorf("the agent was told of %d stalls, want 1", stalls)
	}
}

// TestProxySlowButMovingOriginIsNotCutOff: an origin that keeps sending,
// slower than StallAfter in total but never silent that long, is not cut.
// The answer takes twice StallAfter, so a timer that counted from the
// start of the answer (not from the last byte) would cut it; each gap is a
// quarter of StallAfter, a wide margin for a loaded machine.
func TestProxySlowButMovingOriginIsNotCutOff(t *testing.T) {
	const stallAfter, chunks = time.Second, 8
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < chunks; i++ {
			w.Write(bytes.Repeat([]byte("y"), 1024))
			w.(http.Flusher).Flush()
			time.Sleep(stallAfter / 4) // the origin's pace, not a wait for a condition
		}
	}))
	defer origin.Close()
	start := time.Now()
	n, err := fetchThrough(t, origin.URL+"/f", Options{AllowPrivate: true, StallAfter: stallAfter})
	if err != nil || n != chunks<<10 {
		t.Fatalf("a slow, moving download: %d bytes, %v", n, err)
	}
	if took := time.Since(start); took < stallAfter {
		t.Fatalf("the download took %v, less than StallAfter: the test checked nothing", took)
	}
}

// fetchThrough GETs url through a proxy started with opts and reads the
// whole body: how many bytes came and how the body ended.
func fetchThrough(t *testing.T, url string, opts Options) (int64, error) {
	t.Helper()
	p, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	resp, err := client(p).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return io.Copy(io.Discard, resp.Body)
}
