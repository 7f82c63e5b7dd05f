package server

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/shard"
	"github.com/shardkeeper/shardkeeper/internal/proof"
)

// wholeFileLimit is the largest file the hub reads whole when an origin
// ignores range requests (it then checks the file against its key).
const wholeFileLimit = 1 << 20

// expectedAnswer computes what an honest donor answers to c, from the
// archive's own copy: the bytes come from the key's registered URLs (the
// .log.web on the hub's git-annex branch) with an HTTP range request.
func (s *Server) expectedAnswer(ctx context.Context, c proof.Challenge) (string, error) {
	nonce, err := hex.DecodeString(c.Nonce)
	if err != nil {
		return "", fmt.Errorf("challenge %s has a bad nonce", c.ID)
	}
	k := annex.Key(c.Key)
	urls, err := s.keyURLs(ctx, c.Shard, k)
	if err != nil {
		return "", err
	}
	if len(urls) == 0 {
		return "", fmt.Errorf("%s has no URL registered in %s", k, c.Shard)
	}
	var errs []error
	for _, u := range urls {
		data, err := readRange(ctx, s.cfg.HTTPClient, u, k, c.Offset, c.Length)
		if err == nil {
			return proof.AnswerBytes(nonce, data), nil
		}
		errs = append(errs, err)
	}
	return "", errors.Join(errs...)
}

// keyURLs are the URLs the shard's git-annex branch registers for k.
func (s *Server) keyURLs(ctx context.Context, shardName string, k annex.Key) ([]string, error) {
	if _, ok := s.catalog().byName[shardName]; !ok {
		return nil, fmt.Errorf("no shard %s", shardName)
	}
	g := s.cfg.Git
	g.Dir = shard.RepoDir(s.cfg.DataDir, shardName)
	out, err := g.Output(ctx, nil, "cat-file", "blob", annex.BranchRef+":"+annex.URLLogPath(k))
	if err != nil {
		return nil, fmt.Errorf("%s has no URL log in %s", k, shardName)
	}
	return annex.Present(annex.ParseLog(out)), nil
}

// readRange reads bytes [off, off+n) of k's content at url. A 206 must
// carry exactly that Content-Range, with the key's size as the total; an
// origin that ignores Range (200) is read whole for a small file only.
// Whenever the bytes are the whole file they are checked against the key.
func readRange(ctx context.Context, client *http.Client, url string, k annex.Key, off, n int64) ([]byte, error) {
	size, sized := k.Size()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("origin URL %s: %w", url, err)
	}
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, off+n-1))
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("read %s from the origin: %w", k, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusPartialContent:
		start, end, total, err := parseContentRange(resp.Header.Get("Content-Range"))
		if err != nil || start != off || end != off+n-1 || (sized && total >= 0 && total != size) {
			return nil, fmt.Errorf("the origin answered range %q for bytes %d-%d of %s", resp.Header.Get("Content-Range"), off, off+n-1, k)
		}
		data, err := readExactly(resp.Body, n)
		if err != nil {
			return nil, fmt.Errorf("read %s from the origin: %w", k, err)
		}
		if sized && off == 0 && n == size {
			return data, checkKey(k, data)
		}
		return data, nil
	case http.StatusOK:
		if !sized || size > wholeFileLimit {
			return nil, fmt.Errorf("the origin ignores range requests for %s, too large to read whole", k)
		}
		data, err := readExactly(resp.Body, size)
		if err != nil {
			return nil, fmt.Errorf("read %s from the origin: %w", k, err)
		}
		if err := checkKey(k, data); err != nil {
			return nil, err
		}
		if off+n > size {
			return nil, fmt.Errorf("bytes %d-%d are outside %s", off, off+n-1, k)
		}
		return data[off : off+n], nil
	}
	return nil, fmt.Errorf("the origin answered %s for %s", resp.Status, k)
}

// readExactly reads n bytes and checks nothing follows.
func readExactly(r io.Reader, n int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, n+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) != n {
		return nil, fmt.Errorf("got %d bytes, want %d", len(data), n)
	}
	return data, nil
}

// parseContentRange reads "bytes START-END/TOTAL"; total is -1 for "*".
func parseContentRange(h string) (start, end, total int64, err error) {
	spec, ok := strings.CutPrefix(h, "bytes ")
	rng, tot, ok2 := strings.Cut(spec, "/")
	a, b, ok3 := strings.Cut(rng, "-")
	if !ok || !ok2 || !ok3 {
		return 0, 0, 0, fmt.Errorf("bad Content-Range %q", h)
	}
	if start, err = strconv.ParseInt(a, 10, 64); err != nil {
		return 0, 0, 0, err
	}
	if end, err = strconv.ParseInt(b, 10, 64); err != nil {
		return 0, 0, 0, err
	}
	total = -1
	if tot != "*" {
		if total, err = strconv.ParseInt(tot, 10, 64); err != nil {
			return 0, 0, 0, err
		}
	}
	return start, end, total, nil
}

// checkKey verifies whole content against a hashing key; other backends
// cannot be checked and pass.
func checkKey(k annex.Key, data []byte) error {
	h := k.NewHash()
	if h == nil {
		return nil
	}
	h.Write(data)
	if hex.EncodeToString(h.Sum(nil)) != strings.ToLower(k.Digest()) {
		return fmt.Errorf("the origin's copy of %s does not match its key", k)
	}
	return nil
}
