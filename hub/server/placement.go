package server

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	"github.com/shardkeeper/shardkeeper/hub/audit"
	"github.com/shardkeeper/shardkeeper/hub/shard"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// gitHere decides whether this host serves a git request for a shard: a
// shard served by another host is redirected there (git follows a
// redirect of its first request, info/refs) or, for the requests after
// it, refused saying where it went; a push to a shard being moved is
// refused with a retryable answer. A push that may go on holds the shard's
// push lock until release, so a move waits for it.
func (s *Server) gitHere(w http.ResponseWriter, r *http.Request, name string) (release func(), ok bool) {
	if s.hosts == nil {
		return func() {}, true
	}
	p, host, known := s.hosts.placement(name)
	release = func() {}
	if isReceivePack(r) {
		// Pushes read the placement from the database under the shard's
		// push lock: a move freezes the shard under the same lock.
		mu := s.hosts.pushLock(name)
		mu.RLock()
		release = mu.RUnlock
		fresh, err := s.hosts.db.Placement(name)
		if err != nil {
			release()
			gitError(w, http.StatusServiceUnavailable, "the hub cannot tell which host serves "+name+" right now; try again later")
			return nil, false
		}
		p, known = fresh, true
		if p.Host != s.hosts.name {
			s.hosts.reload()
			_, host, _ = s.hosts.placement(name)
		}
	}
	switch {
	case !known:
		release()
		gitError(w, http.StatusServiceUnavailable, name+" is served by no hub host yet; try again later")
		return nil, false
	case p.Host != s.hosts.name:
		release()
		s.elsewhere(w, r, name, host)
		return nil, false
	case isReceivePack(r) && p.State != store.PlacementServed:
		release()
		w.Header().Set("Retry-After", "60")
		gitError(w, http.StatusServiceUnavailable, name+" is moving to another hub host; push again in a minute")
		return nil, false
	}
	return release, true
}

// elsewhere answers a git request for a shard another host serves.
func (s *Server) elsewhere(w http.ResponseWriter, r *http.Request, name string, host store.Host) {
	if host.PublicURL == "" {
		gitError(w, http.StatusServiceUnavailable, name+" is served by another hub host this one does not know; try again later")
		return
	}
	to := host.PublicURL + r.URL.Path
	if r.URL.RawQuery != "" {
		to += "?" + r.URL.RawQuery
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		http.Redirect(w, r, to, http.StatusTemporaryRedirect)
		return
	}
	gitError(w, http.StatusGone, fmt.Sprintf("%s moved to %s/git/%s.git: fetch and push there (the agent follows by itself)", name, host.PublicURL, name))
}

// receive takes a shard moving to this host: a mirror of its repository
// fetched from the source host (which takes no pushes meanwhile), put in
// place, then the switch recorded. A failure ends the move with why; the
// shard stays where it was.
func (s *Server) receive(ctx context.Context, p store.Placement) {
	defer func() {
		s.hosts.mu.Lock()
		delete(s.hosts.receiving, p.Shard)
		s.hosts.mu.Unlock()
	}()
	_, src, _ := s.hosts.placement(p.Shard)
	err := s.mirror(ctx, p.Shard, src.PublicURL)
	if err == nil {
		err = s.hosts.db.FinishMove(p.Shard, s.hosts.name, s.cfg.Now())
	}
	if err != nil {
		s.log.Error("move a shard here", "shard", p.Shard, "from", p.Host, "err", err)
		if ferr := s.hosts.db.FailMove(p.Shard, err.Error(), s.cfg.Now()); ferr != nil {
			s.log.Error("end a failed move", "shard", p.Shard, "err", ferr)
		}
		return
	}
	if err := s.hosts.reload(); err != nil {
		s.log.Warn("read shard placements", "err", err)
	}
	if err := s.tracker.RefreshShard(ctx, p.Shard); err != nil {
		s.log.Error("health of a shard moved here", "shard", p.Shard, "err", err)
	}
	s.log.Info("shard moved here", "shard", p.Shard, "from", p.Host)
}

// mirror fetches every ref of a shard from the host at base into a new
// bare repository and puts it in place of any older copy this host kept.
func (s *Server) mirror(ctx context.Context, name, base string) error {
	if base == "" {
		return fmt.Errorf("the source host of %s has no public URL", name)
	}
	dest := shard.RepoDir(s.cfg.DataDir, name)
	tmp := filepath.Join(shard.Dir(s.cfg.DataDir), ".moving-"+name+".git")
	old := filepath.Join(shard.Dir(s.cfg.DataDir), ".moved-"+name+".git")
	os.RemoveAll(tmp)
	os.RemoveAll(old)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return fmt.Errorf("make the repository of %s: %w", name, err)
	}
	g := s.cfg.Git
	g.Dir = tmp
	steps := [][]string{
		{"init", "--quiet", "--bare", "--initial-branch=main"},
		{"config", "receive.fsckObjects", "true"},
		{"fetch", "--quiet", base + "/git/" + name + ".git", "+refs/*:refs/*"},
	}
	for _, args := range steps {
		if _, err := g.Output(ctx, nil, args...); err != nil {
			os.RemoveAll(tmp)
			return fmt.Errorf("mirror %s from %s: %w", name, base, err)
		}
	}
	if s.cfg.AuditHook != "" {
		if err := audit.InstallHook(tmp, s.cfg.AuditHook); err != nil {
			os.RemoveAll(tmp)
			return err
		}
	}
	setAside := false
	if _, err := os.Stat(dest); err == nil {
		if err := os.Rename(dest, old); err != nil {
			os.RemoveAll(tmp)
			return fmt.Errorf("set aside the older copy of %s: %w", name, err)
		}
		setAside = true
	}
	if err := os.Rename(tmp, dest); err != nil {
		// The older copy goes back: a failed move must leave this host's
		// repository as it was, never none.
		os.RemoveAll(tmp)
		if setAside {
			os.Rename(old, dest)
		}
		return fmt.Errorf("put %s in place: %w", name, err)
	}
	if setAside {
		os.RemoveAll(old)
	}
	return nil
}
