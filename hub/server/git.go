package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/audit"
	"github.com/shardkeeper/shardkeeper/hub/shard"
	"github.com/shardkeeper/shardkeeper/hub/store"
	"github.com/shardkeeper/shardkeeper/internal/gitenv"
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
	args := []string{"http-backend"}
	if direct := httpBackendProgram(g); direct != "" {
		path, args = direct, nil
	}
	return gitBackend{cgi: cgi.Handler{
		Path: path,
		Args: args,
		Root: "/git",
		// Receive-pack is enabled by REMOTE_USER, which only an
		// authenticated push gets; http.receivepack stays unset.
		// The user's git config is kept out, but the shard's own hooks (the
		// push audit) run even when a global core.hooksPath says otherwise.
		Env: append(append(slices.Clip(g.Env), "GIT_PROJECT_ROOT="+projectRoot, "GIT_HTTP_EXPORT_ALL=1"),
			gitenv.Vars(gitenv.HubHooks)...),
		Logger: stderr,
		Stderr: stderr.Writer(),
	}}, nil
}

// httpBackendProgram is git's own git-http-backend program (in `git
// --exec-path`), run directly rather than through `git http-backend`: one
// process less per request, which a hundred donors pushing at once feel.
// "" when it cannot be found.
func httpBackendProgram(g annex.Git) string {
	out, err := g.Output(context.Background(), nil, "--exec-path")
	if err != nil {
		return ""
	}
	p := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if fi, err := os.Stat(p); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		return ""
	}
	return p
}

// serveGit serves /git/<name>.git/...: anonymous fetches; pushes only with
// the token of a donor assigned to that shard.
func (s *Server) serveGit(w http.ResponseWriter, r *http.Request) {
	repo, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/git/"), "/")
	name, ok := strings.CutSuffix(repo, ".git")
	if _, known := s.catalog().byName[name]; !ok || !known {
		writeError(w, http.StatusNotFound, "no such shard")
		return
	}
	release, here := s.gitHere(w, r, name)
	if !here {
		return
	}
	defer release()
	if s.serveAnnexRepo(w, r, name, rest) {
		return
	}
	h := s.git.cgi // a copy: the environment is per request
	var donor string
	if isReceivePack(r) {
		d, ok := s.authorize(w, r, name)
		if !ok {
			return
		}
		donor = d.UUID
		h.Env = append(slices.Clip(h.Env), "REMOTE_USER="+d.UUID, audit.EnvDonor+"="+d.UUID,
			audit.EnvNow+"="+strconv.FormatInt(s.cfg.Now().UnixNano(), 10))
		noteDonor(r, d.UUID)
	}
	req, cleanup, err := cgiRequest(w, r)
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "the request body is too large or was cut off")
		return
	}
	defer cleanup()
	push := donor != "" && r.Method == http.MethodPost
	if !push {
		h.ServeHTTP(w, req)
		return
	}
	g := s.cfg.Git
	g.Dir = shard.RepoDir(s.cfg.DataDir, name)
	if s.cfg.AuditHook == "" {
		gitError(w, http.StatusServiceUnavailable, "this hub takes no pushes: its push audit is off; the hub's operator must start it with shardhub serve")
		return
	}
	// A rebuild may have replaced the shard's hooks.
	if err := audit.InstallHook(g.Dir, s.cfg.AuditHook); err != nil {
		s.log.Error("install the push audit hook", "shard", name, "err", err)
		gitError(w, http.StatusInternalServerError, "the hub cannot check pushes right now; try again later")
		return
	}
	if !s.takePushSlot(r.Context()) {
		return // the donor's git gave up waiting
	}
	before := refTip(r.Context(), g, audit.DonorRef(donor))
	func() {
		defer func() { <-s.pushSlots }()
		h.ServeHTTP(w, req)
	}()
	s.afterPush(r.Context(), g, name, donor, before)
}

// maxPushes is how many pushes the hub audits and stores at once; the
// rest wait their turn. Each push runs receive-pack, the audit hook and
// several git processes: a hundred donors pushing at once, all running,
// share the CPU so evenly that every push ends late and the hub's
// processes take a hundred times the memory. In turns, the first pushes
// end early and memory stays bounded.
func maxPushes() int { return max(4, 2*runtime.NumCPU()) }

// takePushSlot waits for a turn to run a push; false when the request
// ended first.
func (s *Server) takePushSlot(ctx context.Context) bool {
	select {
	case s.pushSlots <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

// afterPush records the donor's check-in and refreshes the shard's health
// when the push landed (receive-pack answers 200 even when the hook
// refused it: the ref moving is what says it landed).
func (s *Server) afterPush(ctx context.Context, g annex.Git, shardName, donor, before string) {
	after := refTip(ctx, g, audit.DonorRef(donor))
	if after == "" || after == before {
		return
	}
	if err := s.donors.CheckIn(donor, s.cfg.Now()); err != nil {
		s.log.Error("record check-in", "donor", donor, "err", err)
	}
	if err := s.tracker.RefreshShard(ctx, shardName); err != nil {
		s.log.Error("health after a push", "shard", shardName, "err", err)
	}
}

// refTip is the commit ref points at, or "" when it does not exist.
func refTip(ctx context.Context, g annex.Git, ref string) string { return g.Tip(ctx, ref) }

func isReceivePack(r *http.Request) bool {
	// Any service value counts: git may read a different one than Go.
	return strings.HasSuffix(r.URL.Path, "/git-receive-pack") || slices.Contains(r.URL.Query()["service"], "git-receive-pack")
}

// authorize finds the donor behind the request's token and checks it may
// push to shardName; otherwise it answers itself: 401 when no token came
// (so git asks its credential helper), 403 with a message git prints
// ("remote: shardhub: ...") for a wrong token or shard.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, shardName string) (store.Donor, bool) {
	token := requestToken(r)
	if token == "" {
		w.Header().Add("WWW-Authenticate", `Bearer realm="shardhub"`)
		w.Header().Add("WWW-Authenticate", `Basic realm="shardhub"`)
		gitError(w, http.StatusUnauthorized, "pushing needs a donor token: send it as a Bearer token (or as the password)")
		return store.Donor{}, false
	}
	d, ok := s.donors.Authenticate(token)
	if !ok {
		gitError(w, http.StatusForbidden, "this donor token is not valid (the donor may have been deregistered); register again")
		return d, false
	}
	noteDonor(r, d.UUID)
	if !d.Holds(shardName) {
		gitError(w, http.StatusForbidden, fmt.Sprintf("this donor holds %s, not %s", strings.Join(d.Shards, ", "), shardName))
		return d, false
	}
	return d, true
}

// gitError answers in plain text, which git shows the user.
func gitError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "shardhub: %s\n", msg)
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
