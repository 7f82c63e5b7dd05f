package webproxy

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

func verifyingClient(p *Proxy) *http.Client {
	u, _ := url.Parse(p.VerifyingURL())
	return &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(u)}}
}

func sha256Key(data []byte) string {
	sum := sha256.Sum256(data)
	return fmt.Sprintf("SHA256E-s%d--%s.bin", len(data), hex.EncodeToString(sum[:]))
}

// get fetches u through the verifying address: the status, the bytes
// that arrived, and the error reading the body.
func get(t *testing.T, p *Proxy, u string, hdr ...string) (int, []byte, error) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := verifyingClient(p).Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	return resp.StatusCode, got, err
}

// TestVerifyingProxyPassesOnlyTheKeysBytes: an announced download of the
// right bytes passes whole (also after a redirect, with chunked
// encoding, and from an origin that would gzip it); wrong bytes of the right size, too few and too many are cut
// before their last bytes and reported; an unannounced URL, a Range
// request and a tunnel are refused.
func TestVerifyingProxyPassesOnlyTheKeysBytes(t *testing.T) {
	good := make([]byte, 700<<10+3)
	rand.New(rand.NewSource(1)).Read(good)
	bad := append([]byte(nil), good...)
	bad[len(bad)-1] ^= 1 // the very last byte: the check must hold it back
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/good", "/unannounced":
			w.Header().Set("Content-Length", fmt.Sprint(len(good)))
			w.Write(good)
		case "/chunked": // no Content-Length
			w.Write(good[:1000])
			w.(http.Flusher).Flush()
			w.Write(good[1000:])
		case "/gzip": // compressed on the way when the client accepts it
			if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
				w.Write(good)
				return
			}
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			zw.Write(good)
			zw.Close()
		case "/moved":
			http.Redirect(w, r, "/good", http.StatusFound)
		case "/bad":
			w.Write(bad)
		case "/short":
			w.Write(good[:len(good)-1])
		case "/long":
			w.Write(append(append([]byte(nil), good...), 'x'))
		}
	}))
	defer origin.Close()
	var mu sync.Mutex
	var reports []Response
	p, err := Start(Options{AllowPrivate: true, OnResponse: func(r Response) { mu.Lock(); reports = append(reports, r); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	key := sha256Key(good)
	for _, path := range []string{"/good", "/chunked", "/moved", "/gzip"} {
		if !p.Expect(key, []string{origin.URL + path}) {
			t.Fatalf("%s: a SHA256E key with a size and an http URL is not verifiable", path)
		}
		// As git-annex's HTTP client does: it accepts gzip.
		status, got, err := get(t, p, origin.URL+path, "Accept-Encoding", "gzip")
		if status != http.StatusOK || err != nil || !bytes.Equal(got, good) {
			t.Errorf("%s: status %d, %d of %d bytes, err %v; want the whole file", path, status, len(got), len(good), err)
		}
		if p.Forget(key) {
			t.Errorf("%s: good bytes reported as a mismatch", path)
		}
	}
	for _, path := range []string{"/bad", "/short", "/long"} {
		p.Expect(key, []string{origin.URL + path})
		_, got, err := get(t, p, origin.URL+path)
		if err == nil || len(got) >= len(good) {
			t.Errorf("%s: %d bytes arrived, err %v; want the answer cut before its last bytes", path, len(got), err)
		}
		if !p.Forget(key) {
			t.Errorf("%s: not reported as a mismatch", path)
		}
	}
	mu.Lock()
	mismatches := 0
	for _, r := range reports {
		if errors.Is(r.Err, ErrMismatch) {
			mismatches++
		}
	}
	mu.Unlock()
	if mismatches != 3 {
		t.Errorf("%d mismatches told to the agent, want 3", mismatches)
	}
	checkRefusals(t, p, origin.URL, key)
}

// checkRefusals: a forgotten URL, an unannounced one, a Range request and
// a tunnel are refused on the verifying address.
func checkRefusals(t *testing.T, p *Proxy, originURL, key string) {
	t.Helper()
	if status, _, _ := get(t, p, originURL+"/good"); status != http.StatusForbidden {
		t.Errorf("a forgotten URL: status %d, want 403", status)
	}
	p.Expect(key, []string{originURL + "/good"})
	if status, _, _ := get(t, p, originURL+"/unannounced"); status != http.StatusForbidden {
		t.Errorf("an unannounced URL: status %d, want 403", status)
	}
	if status, _, _ := get(t, p, originURL+"/good", "Range", "bytes=10-"); status != http.StatusForbidden {
		t.Errorf("a Range request: status %d, want 403", status)
	}
	req, _ := http.NewRequest(http.MethodConnect, p.VerifyingURL(), nil)
	req.Host = strings.TrimPrefix(originURL, "http://")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("a tunnel: status %d, want 403", resp.StatusCode)
		}
	}
}

func TestVerifiableKeys(t *testing.T) {
	sum := md5.Sum([]byte("x"))
	md5Key := "MD5-s1--" + hex.EncodeToString(sum[:])
	for key, want := range map[string]bool{
		sha256Key([]byte("x")): true,
		md5Key:                 true,
		"MD5E-s1--" + hex.EncodeToString(sum[:]) + ".cbz": true,
		"SHA256E--" + strings.Repeat("0", 64) + ".bin":    false, // no size
		"WORM-s1-m1--name":           false,
		"SHA256E-s1--abc.bin":        false, // digest too short
		"URL--http&c%%example.com%x": false,
	} {
		if got := Verifiable(key, []string{"http://example.com/x"}); got != want {
			t.Errorf("Verifiable(%s) = %v, want %v", key, got, want)
		}
	}
	if Verifiable(md5Key, []string{"https://example.com/x"}) || Verifiable(md5Key, nil) {
		t.Error("an https URL, or none, cannot be checked by the proxy")
	}
}
