package webproxy

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/shardkeeper/shardkeeper/annex"
)

// Verifying downloads (issue 11 goal 5). git-annex 10.20230126 hashes a
// file it got from the web only after the download, reading it again
// (about as long as the download itself on loopback). The proxy can do
// it while the bytes stream through: the agent tells it, before git-annex
// asks, which key each URL is for (Expect), and runs that git-annex with
// annex.verify=false through the proxy's second, verifying address
// (VerifyingEnv). There the proxy
//   - serves only GETs of expected URLs (and the redirects they lead to)
//     and no tunnels, so nothing reaches git-annex unchecked;
//   - serves whole files only (no Range: the proxy must see every byte);
//   - holds back the last bytes of the answer until their hash and size
//     match the key, and on a mismatch cuts the connection instead, so
//     git-annex sees a failed download and never records the file.

// ErrMismatch is reported for an answer whose bytes are not the key's.
var ErrMismatch = errors.New("the archive sent a file whose content does not match its checksum")

// errNotExpected answers a request the verifying address was not told of.
var errNotExpected = errors.New("this download was not announced to the verifying proxy")

// expectation is what one key's download must be.
type expectation struct {
	key  string
	size int64
	sum  []byte
	hash func() hash.Hash
}

// parseKey reads a plain hashing key: BACKEND-sSIZE--HEX[.ext], of a
// backend annex.Key.NewHash knows ("E" variants too).
func parseKey(key string) (expectation, bool) {
	k := annex.Key(key)
	fields, _, ok := strings.Cut(key, "--")
	_, size, ok2 := strings.Cut(fields, "-s")
	h := k.NewHash()
	if !ok || !ok2 || h == nil {
		return expectation{}, false
	}
	n, err := strconv.ParseInt(size, 10, 64)
	if err != nil || n < 0 {
		return expectation{}, false
	}
	sum, err := hex.DecodeString(k.Digest())
	if err != nil || len(sum) != h.Size() {
		return expectation{}, false
	}
	return expectation{key: key, size: n, sum: sum, hash: k.NewHash}, true
}

// verifier is the verifying address's book: expected URL -> key.
type verifier struct {
	mu   sync.Mutex
	urls map[string]*expectation
	keys map[string][]string // key -> its URLs (to forget them)
	bad  map[string]bool     // keys whose last answer did not match
}

func newVerifier() *verifier {
	return &verifier{urls: map[string]*expectation{}, keys: map[string][]string{}, bad: map[string]bool{}}
}

// Verifiable says whether the proxy can check key and every one of urls
// while downloading: a plain hashing key with a size, and http:// URLs.
func Verifiable(key string, urls []string) bool {
	if _, ok := parseKey(key); !ok || len(urls) == 0 {
		return false
	}
	for _, u := range urls {
		if pu, err := url.Parse(u); err != nil || pu.Scheme != "http" || pu.Host == "" {
			return false
		}
	}
	return true
}

// Expect announces that git-annex will download key from urls through
// the verifying address. It returns false, announcing nothing, when the
// key or a URL cannot be checked (Verifiable).
func (p *Proxy) Expect(key string, urls []string) bool {
	e, ok := parseKey(key)
	if !ok || !Verifiable(key, urls) {
		return false
	}
	v := p.ver
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, u := range urls {
		v.urls[u] = &e
	}
	v.keys[key] = append(v.keys[key], urls...)
	delete(v.bad, key)
	return true
}

// Forget ends what Expect announced for key; it reports whether the last
// answer for key failed the check.
func (p *Proxy) Forget(key string) (mismatch bool) {
	v := p.ver
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, u := range v.keys[key] {
		if e := v.urls[u]; e != nil && e.key == key {
			delete(v.urls, u)
		}
	}
	delete(v.keys, key)
	mismatch = v.bad[key]
	delete(v.bad, key)
	return mismatch
}

func (v *verifier) lookup(u string) *expectation {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.urls[u]
}

// follow books a redirect of an expected URL: its target is the same key.
func (v *verifier) follow(e *expectation, target string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.keys[e.key]; ok {
		v.urls[target] = e
		v.keys[e.key] = append(v.keys[e.key], target)
	}
}

func (v *verifier) mismatch(key string) {
	v.mu.Lock()
	v.bad[key] = true
	v.mu.Unlock()
}

// VerifyingURL is the verifying address for http_proxy.
func (p *Proxy) VerifyingURL() string { return "http://" + p.vln.Addr().String() }

// VerifyingEnv is Env for the verifying address.
func (p *Proxy) VerifyingEnv() []string { return proxyEnv(p.VerifyingURL()) }

// serveVerifying serves the verifying address.
func (p *Proxy) serveVerifying(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead || r.URL.Scheme != "http" {
		http.Error(w, "the verifying proxy serves only GET and HEAD of http:// URLs", http.StatusForbidden)
		return
	}
	if p.ver.lookup(r.URL.String()) == nil {
		http.Error(w, errNotExpected.Error(), http.StatusForbidden)
		return
	}
	if r.Header.Get("Range") != "" {
		// Only the whole file can be hashed; a resumed download goes to the
		// plain address (the agent sends keys with a partial download there).
		http.Error(w, "the verifying proxy serves whole files only", http.StatusForbidden)
		return
	}
	// The file's own bytes, not a compressed form of them: without an
	// Accept-Encoding from the client, the proxy's transport asks for gzip
	// itself and hands on (and hashes) the bytes uncompressed.
	r.Header.Del("Accept-Encoding")
	p.rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), verifyingKey{}, true)))
}

// verifyResponse wraps an expected answer's body in the check; it runs in
// the reverse proxy's ModifyResponse for requests on the verifying address.
func (p *Proxy) verifyResponse(resp *http.Response) error {
	e := p.ver.lookup(resp.Request.URL.String())
	if e == nil {
		return errNotExpected
	}
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		if loc, err := resp.Location(); err == nil {
			p.ver.follow(e, loc.String())
		}
		return nil
	case resp.StatusCode != http.StatusOK || resp.Request.Method != http.MethodGet:
		return nil // an error status, or no body: git-annex gets no file from it
	case resp.ContentLength >= 0 && resp.ContentLength != e.size:
		p.ver.mismatch(e.key)
		return fmt.Errorf("%w (%d bytes offered, %d expected)", ErrMismatch, resp.ContentLength, e.size)
	}
	resp.Body = &checkReader{r: resp.Body, e: e, h: e.hash(), onBad: func() {
		p.ver.mismatch(e.key)
		p.report(Response{Host: resp.Request.URL.Host, URL: resp.Request.URL.String(), Err: ErrMismatch})
	}}
	return nil
}

// checkReader hashes a body as it passes and holds back its last bytes
// until they complete the expected size and checksum.
type checkReader struct {
	r     io.ReadCloser
	e     *expectation
	h     hash.Hash
	n     int64
	onBad func()
	err   error
}

func (c *checkReader) Read(b []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	left := c.e.size - c.n
	if int64(len(b)) < left {
		n, err := c.r.Read(b)
		c.h.Write(b[:n])
		c.n += int64(n)
		if err == io.EOF {
			err = c.fail(fmt.Errorf("%w (%d of %d bytes)", ErrMismatch, c.n, c.e.size))
		}
		return n, err
	}
	// The last bytes: read them and the end of the body, check, then hand on.
	n, err := io.ReadFull(c.r, b[:left])
	c.h.Write(b[:n])
	c.n += int64(n)
	if err != nil {
		return 0, c.fail(fmt.Errorf("%w (%d of %d bytes): %v", ErrMismatch, c.n, c.e.size, err))
	}
	var one [1]byte
	if m, _ := io.ReadFull(c.r, one[:]); m > 0 {
		return 0, c.fail(fmt.Errorf("%w (more than %d bytes)", ErrMismatch, c.e.size))
	}
	if sum := c.h.Sum(nil); !equal(sum, c.e.sum) {
		return 0, c.fail(ErrMismatch)
	}
	c.err = io.EOF
	return n, nil
}

func (c *checkReader) fail(err error) error {
	c.err = err
	c.onBad()
	return err
}

func (c *checkReader) Close() error { return c.r.Close() }

func equal(a, b []byte) bool { return string(a) == string(b) }

// listenVerifying opens the verifying address on loopback.
func listenVerifying() (net.Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start the verifying download proxy on loopback: %w", err)
	}
	return ln, nil
}
