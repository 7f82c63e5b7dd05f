// Package webproxy is the agent's HTTP proxy on loopback. git-annex
// 10.20230126 downloads with its own HTTP client, which has no rate limit
// (curl, which has one, is used only when annex.security.allowed-ip-addresses
// is "all", which would expose the donor's own network to a hostile branch).
// That client honours http_proxy/https_proxy when the proxy's address is
// allowed, so the agent runs git-annex with
// -c annex.security.allowed-ip-addresses=127.0.0.1 and its proxy in the
// environment. The proxy
//   - limits the bytes per second of all downloads together,
//   - refuses destinations on loopback and private networks, as git-annex
//     itself would (it cannot check them once a proxy is in between),
//   - tells the agent each answer's status, for backoff on 429 and 5xx.
package webproxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Response is what the proxy saw of one request.
type Response struct {
	Host       string
	URL        string // empty for tunnels (https)
	Status     int    // 0: no answer (connection failed or timed out)
	RetryAfter string // the Retry-After header, if any
	Err        error
}

// Options configure a Proxy.
type Options struct {
	Limiter *Limiter // nil: unlimited
	// AllowPrivate lets downloads reach loopback and private addresses:
	// for the demo and tests, whose archive runs on loopback.
	AllowPrivate bool
	// Upstream is the donor's own proxy for plain HTTP requests, if any
	// (http.ProxyFromEnvironment of the agent's environment).
	Upstream func(*http.Request) (*url.URL, error)
	// OnResponse is told about every request (it must not block).
	OnResponse func(Response)
	// DialTimeout bounds connecting to an origin (default 30s).
	DialTimeout time.Duration
	// StallAfter: an origin that sends nothing for this long in the middle
	// of an answer is cut off, and the download fails (0: never).
	// git-annex 10.20230126's own annex.stalldetection does not cancel a
	// download whose origin stalls mid-body, so without this one a stalled
	// origin holds a download, and the agent waiting for it, forever.
	StallAfter time.Duration
}

// Proxy is a running proxy.
type Proxy struct {
	opts Options
	ln   net.Listener
	srv  *http.Server
	rp   *httputil.ReverseProxy
	lim  *Limiter
	// The verifying address (verify.go).
	vln  net.Listener
	vsrv *http.Server
	ver  *verifier

	mu      sync.Mutex
	tunnels map[net.Conn]struct{}
}

// ErrRefused is the answer for a destination the donor's machine must not
// be aimed at.
var ErrRefused = errors.New("destination refused: loopback and private network addresses are not allowed")

// ErrStalled is reported for an answer the origin stopped sending.
var ErrStalled = errors.New("the archive stopped sending in the middle of a download")

// Start listens on a free loopback port and serves until Close.
func Start(opts Options) (*Proxy, error) {
	if opts.Limiter == nil {
		opts.Limiter = NewLimiter(0)
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = 30 * time.Second
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start the download proxy on loopback: %w", err)
	}
	vln, err := listenVerifying()
	if err != nil {
		ln.Close()
		return nil, err
	}
	p := &Proxy{opts: opts, ln: ln, vln: vln, ver: newVerifier(), lim: opts.Limiter, tunnels: map[net.Conn]struct{}{}}
	tr := &http.Transport{
		Proxy:                 opts.Upstream,
		DialContext:           p.dial,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       60 * time.Second,
		ResponseHeaderTimeout: 2 * time.Minute,
	}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL = pr.In.URL
			pr.Out.Host = pr.In.Host
		},
		Transport:      tr,
		FlushInterval:  -1,
		BufferPool:     bufferPool{},
		ModifyResponse: p.modifyResponse,
		ErrorHandler:   p.errorHandler,
	}
	p.srv = &http.Server{Handler: http.HandlerFunc(p.serve), ReadHeaderTimeout: 30 * time.Second}
	p.vsrv = &http.Server{Handler: http.HandlerFunc(p.serveVerifying), ReadHeaderTimeout: 30 * time.Second}
	go p.srv.Serve(ln)
	go p.vsrv.Serve(vln)
	return p, nil
}

// URL is the proxy's address for http_proxy.
func (p *Proxy) URL() string { return "http://" + p.ln.Addr().String() }

// Limiter is the proxy's rate limit.
func (p *Proxy) Limiter() *Limiter { return p.lim }

// Env is the environment that makes git-annex (and curl, and git) use the
// proxy for every http and https URL, none excepted.
func (p *Proxy) Env() []string { return proxyEnv(p.URL()) }

func proxyEnv(u string) []string {
	return []string{"http_proxy=" + u, "https_proxy=" + u, "HTTP_PROXY=" + u, "HTTPS_PROXY=" + u,
		"no_proxy=", "NO_PROXY=", "all_proxy=", "ALL_PROXY="}
}

// Close stops the proxy and every transfer through it.
func (p *Proxy) Close() error {
	err := p.srv.Close()
	p.vsrv.Close()
	p.mu.Lock()
	for c := range p.tunnels {
		c.Close()
	}
	p.mu.Unlock()
	return err
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodConnect {
		p.tunnel(w, r)
		return
	}
	if r.URL.Scheme != "http" || r.URL.Host == "" {
		http.Error(w, "this proxy serves only http:// URLs and CONNECT", http.StatusBadRequest)
		return
	}
	p.rp.ServeHTTP(w, r)
}

func (p *Proxy) modifyResponse(resp *http.Response) error {
	p.report(Response{Host: resp.Request.URL.Host, URL: resp.Request.URL.String(),
		Status: resp.StatusCode, RetryAfter: resp.Header.Get("Retry-After")})
	if p.opts.StallAfter > 0 {
		host, u := resp.Request.URL.Host, resp.Request.URL.String()
		resp.Body = newIdleReader(resp.Body, p.opts.StallAfter, func() { p.report(Response{Host: host, URL: u, Err: ErrStalled}) })
	}
	if resp.Request.Context().Value(verifyingKey{}) != nil {
		if err := p.verifyResponse(resp); err != nil {
			return err
		}
	}
	resp.Body = &slowReader{ctx: resp.Request.Context(), r: resp.Body, lim: p.lim}
	return nil
}

// verifyingKey marks a request that came in on the verifying address.
type verifyingKey struct{}

// bufferPool gives the reverse proxy 256 KiB copy buffers (its default is
// 32 KiB): fewer reads, writes and flushes per byte on a fast origin.
type bufferPool struct{}

var buffers = sync.Pool{New: func() any { return make([]byte, 256<<10) }}

func (bufferPool) Get() []byte  { return buffers.Get().([]byte) }
func (bufferPool) Put(b []byte) { buffers.Put(b) } //nolint:staticcheck // a slice is what the interface hands back

func (p *Proxy) errorHandler(w http.ResponseWriter, r *http.Request, err error) {
	p.report(Response{Host: r.URL.Host, URL: r.URL.String(), Err: err})
	status := http.StatusBadGateway
	if errors.Is(err, ErrRefused) {
		status = http.StatusForbidden
	} else if isTimeout(err) {
		status = http.StatusGatewayTimeout
	}
	http.Error(w, err.Error(), status)
}

func (p *Proxy) report(r Response) {
	if p.opts.OnResponse != nil {
		p.opts.OnResponse(r)
	}
}

// tunnel serves CONNECT (https): bytes pass through, rate-limited.
func (p *Proxy) tunnel(w http.ResponseWriter, r *http.Request) {
	up, err := p.dial(r.Context(), "tcp", r.Host)
	if err != nil {
		p.report(Response{Host: r.Host, Err: err})
		status := http.StatusBadGateway
		if errors.Is(err, ErrRefused) {
			status = http.StatusForbidden
		}
		http.Error(w, err.Error(), status)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		up.Close()
		http.Error(w, "tunnels not supported", http.StatusInternalServerError)
		return
	}
	down, rw, err := hj.Hijack()
	if err != nil {
		up.Close()
		return
	}
	p.track(down, true)
	p.track(up, true)
	defer func() {
		p.track(down, false)
		p.track(up, false)
		down.Close()
		up.Close()
	}()
	if _, err := down.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n")); err != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, rw); done <- struct{}{} }()
	var from io.Reader = up
	if p.opts.StallAfter > 0 {
		from = newIdleReader(up, p.opts.StallAfter, func() { p.report(Response{Host: r.Host, Err: ErrStalled}) })
	}
	go func() { io.Copy(down, &slowReader{ctx: ctx, r: from, lim: p.lim}); done <- struct{}{} }()
	<-done
}

func (p *Proxy) track(c net.Conn, add bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if add {
		p.tunnels[c] = struct{}{}
	} else {
		delete(p.tunnels, c)
	}
}

// dial connects to an origin, refusing forbidden addresses after name
// resolution (so a name that resolves to 127.0.0.1 is refused too). The
// donor's own upstream proxy is trusted as configured.
func (p *Proxy) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d := net.Dialer{Timeout: p.opts.DialTimeout}
	if !p.opts.AllowPrivate && !p.isUpstream(addr) {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || Forbidden(ip) {
				return fmt.Errorf("%w (%s)", ErrRefused, host)
			}
			return nil
		}
	}
	return d.DialContext(ctx, network, addr)
}

func (p *Proxy) isUpstream(addr string) bool {
	if p.opts.Upstream == nil {
		return false
	}
	u, err := p.opts.Upstream(&http.Request{URL: &url.URL{Scheme: "http", Host: "example.com"}})
	return err == nil && u != nil && (u.Host == addr || strings.TrimSuffix(u.Host, ":80") == strings.TrimSuffix(addr, ":80"))
}

// Forbidden reports addresses downloads must never reach unless allowed:
// git-annex's own default refuses the same ones.
func Forbidden(ip net.IP) bool {
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsUnspecified() || ip.IsMulticast()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded)
}

// slowReader reads at most the limiter's chunk at a time and waits for the
// rate before handing bytes on.
type slowReader struct {
	ctx context.Context
	r   io.Reader
	lim *Limiter
}

func (s *slowReader) Read(b []byte) (int, error) {
	if c := s.lim.chunk(); len(b) > c {
		b = b[:c]
	}
	n, err := s.r.Read(b)
	if n > 0 {
		if werr := s.lim.Wait(s.ctx, n); werr != nil && err == nil {
			err = werr
		}
	}
	return n, err
}

func (s *slowReader) Close() error {
	if c, ok := s.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// idleReader cuts off an origin that stalls: a Read that waits longer
// than after closes the reader (which ends the Read) and fails with
// ErrStalled. Only time spent waiting on the origin counts, not the rate
// limit's waits or a slow reader downstream.
type idleReader struct {
	r       io.ReadCloser
	after   time.Duration
	timer   *time.Timer
	stalled atomic.Bool
}

func newIdleReader(r io.ReadCloser, after time.Duration, onStall func()) *idleReader {
	ir := &idleReader{r: r, after: after}
	ir.timer = time.AfterFunc(time.Hour, func() {
		ir.stalled.Store(true)
		onStall()
		r.Close()
	})
	ir.timer.Stop()
	return ir
}

func (ir *idleReader) Read(b []byte) (int, error) {
	if ir.stalled.Load() {
		return 0, ErrStalled
	}
	ir.timer.Reset(ir.after)
	n, err := ir.r.Read(b)
	ir.timer.Stop()
	if ir.stalled.Load() {
		return n, ErrStalled
	}
	return n, err
}

func (ir *idleReader) Close() error {
	ir.timer.Stop()
	return ir.r.Close()
}
