package server

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"slices"
	"strings"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// maxPushBody bounds a request body the hub spools to disk.
const maxPushBody = 512 << 20

// gitBackend runs git http-backend as a CGI program.
type gitBackend struct{ cgi cgi.Handler }

func newGitBackend(g annex.Git, projectRoot string, log *slog.Logger) (gitBackend, error) {
	bin := g.Bin
	if bin == "" {
		bin = "git"
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		return gitBackend{}, fmt.Errorf("git not found (%v): install git or set its path", err)
	}
	stderr := slog.NewLogLogger(log.With("from", "git http-backend").Handler(), slog.LevelWarn)
	return gitBackend{cgi: cgi.Handler{
		Path: path,
		Args: []string{"http-backend"},
		Root: "/git",
		// Receive-pack is enabled by REMOTE_USER, which only an
		// authenticated push gets; http.receivepack stays unset.
		Env:    append(slices.Clip(g.Env), "GIT_PROJECT_ROOT="+projectRoot, "GIT_HTTP_EXPORT_ALL=1"),
		Logger: stderr,
		Stderr: stderr.Writer(),
	}}, nil
}

// serveGit serves /git/<name>.git/...: anonymous fetches; pushes only with
// the token of a donor assigned to that shard.
func (s *Server) serveGit(w http.ResponseWriter, r *http.Request) {
	repo, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/git/"), "/")
	name, ok := strings.CutSuffix(repo, ".git")
	if _, known := s.shards[name]; !ok || !known {
		writeError(w, http.StatusNotFound, "no such shard")
		return
	}
	h := s.git.cgi // a copy: the environment is per request
	if isReceivePack(r) {
		d, ok := s.authorize(w, r, name)
		if !ok {
			return
		}
		h.Env = append(slices.Clip(h.Env), "REMOTE_USER="+d.UUID, "SHARDHUB_DONOR_UUID="+d.UUID)
		noteDonor(r, d.UUID)
	}
	req, cleanup, err := cgiRequest(w, r)
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "the request body is too large or was cut off")
		return
	}
	defer cleanup()
	h.ServeHTTP(w, req)
}

func isReceivePack(r *http.Request) bool {
	// Any service value counts: git may read a different one than Go.
	return strings.HasSuffix(r.URL.Path, "/git-receive-pack") || slices.Contains(r.URL.Query()["service"], "git-receive-pack")
}

// authorize finds the donor behind the request's token and checks it may
// push to shardName; otherwise it answers 401 or 403 itself.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, shardName string) (store.Donor, bool) {
	d, ok := s.donors.Authenticate(requestToken(r))
	if !ok {
		w.Header().Add("WWW-Authenticate", `Bearer realm="shardhub"`)
		w.Header().Add("WWW-Authenticate", `Basic realm="shardhub"`)
		writeError(w, http.StatusUnauthorized, "pushing needs a donor token: send it as a Bearer token (or as the password)")
		return d, false
	}
	if d.Shard != shardName {
		noteDonor(r, d.UUID)
		writeError(w, http.StatusForbidden, fmt.Sprintf("this donor holds %s, not %s", d.Shard, shardName))
		return d, false
	}
	return d, true
}

// requestToken takes the token from "Authorization: Bearer T" or from HTTP
// Basic auth's password, which is what git sends from a credential helper.
func requestToken(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	if scheme, token, ok := strings.Cut(auth, " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(token)
	}
	if _, password, ok := r.BasicAuth(); ok {
		return password
	}
	return ""
}

// cgiRequest prepares the request for the CGI program: the token is removed
// (net/http/cgi hands every header to the program, and on to git's hooks,
// as HTTP_*), and a chunked body, which net/http/cgi refuses and git sends
// for requests over http.postBuffer, is spooled to a file first.
func cgiRequest(w http.ResponseWriter, r *http.Request) (*http.Request, func(), error) {
	req := r.Clone(r.Context())
	req.Header.Del("Authorization")
	if r.ContentLength >= 0 {
		return req, func() {}, nil
	}
	f, err := os.CreateTemp("", "shardhub-request-*")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { f.Close(); os.Remove(f.Name()) }
	n, err := io.Copy(f, http.MaxBytesReader(w, r.Body, maxPushBody))
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	req.Body, req.ContentLength, req.TransferEncoding = f, n, nil
	return req, cleanup, nil
}
