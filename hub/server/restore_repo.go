package server

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/restore"
	"github.com/shardkeeper/shardkeeper/hub/shard"
)

// serveAnnexRepo serves what git-annex reads of an HTTP git remote, so a
// clone's origin is the shard's restore remote R: /config (with
// annex.uuid R) and the restore area as annex/objects/. It reports whether
// it answered.
func (s *Server) serveAnnexRepo(w http.ResponseWriter, r *http.Request, name, rest string) bool {
	switch {
	case rest == "config":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			return false
		}
		g := s.cfg.Git
		g.Dir = shard.RepoDir(s.cfg.DataDir, name)
		id := restore.RemoteUUID(r.Context(), g)
		if id == "" {
			http.NotFound(w, r)
			return true
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "[core]\n\tbare = true\n[annex]\n\tuuid = %s\n\tversion = 8\n", id)
		return true
	case strings.HasPrefix(rest, "annex/objects/"):
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			writeError(w, http.StatusMethodNotAllowed, "the restore area is read-only")
			return true
		}
		key, ok := objectKey(strings.TrimPrefix(rest, "annex/objects/"))
		area := restore.AreaOf(s.cfg.DataDir)
		if !ok || !area.Has(name, key) {
			http.NotFound(w, r)
			return true
		}
		serveFile(w, r, area.Object(name, key))
		return true
	}
	return false
}

// objectKey parses "<hashdir>/<KEY>/<KEY>" (git-annex's lower or mixed
// hash directories) and checks the key.
func objectKey(p string) (annex.Key, bool) {
	parts := strings.Split(p, "/")
	if len(parts) != 4 || parts[2] != parts[3] {
		return "", false
	}
	k := annex.Key(parts[2])
	if restore.CheckName("x", k) != nil {
		return "", false
	}
	dir := parts[0] + "/" + parts[1] + "/"
	return k, dir == annex.HashDirLower(k) || dir == annex.HashDirMixed(k)
}

// pathIndex caches, per shard, the main branch's paths and keys.
type pathIndex struct {
	mu    sync.Mutex
	tips  map[string]string
	paths map[string]map[string]annex.Key
}

// keyAt is the key of a path of a shard's main branch.
func (s *Server) keyAt(ctx context.Context, name, p string) (annex.Key, bool) {
	g := s.cfg.Git
	g.Dir = shard.RepoDir(s.cfg.DataDir, name)
	tip := refTip(ctx, g, "refs/heads/main")
	ix := &s.paths
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.tips == nil {
		ix.tips, ix.paths = map[string]string{}, map[string]map[string]annex.Key{}
	}
	if ix.tips[name] != tip || ix.paths[name] == nil {
		files, err := restore.ShardFiles(ctx, g)
		if err != nil {
			s.log.Error("read a shard's files", "shard", name, "err", err)
			return "", false
		}
		m := make(map[string]annex.Key, len(files))
		for _, f := range files {
			m[f.Path] = f.Key
		}
		ix.tips[name], ix.paths[name] = tip, m
	}
	k, ok := ix.paths[name][p]
	return k, ok
}

// serveRestored answers GET /restore/{shard}/{path...}: a verified
// restored file at its path in the shard.
func (s *Server) serveRestored(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("shard")
	if _, ok := s.catalog().byName[name]; !ok {
		writeError(w, http.StatusNotFound, "no such shard")
		return
	}
	k, ok := s.keyAt(r.Context(), name, r.PathValue("path"))
	area := restore.AreaOf(s.cfg.DataDir)
	if !ok || !area.Has(name, k) {
		writeError(w, http.StatusNotFound, "the hub holds no restored copy of this file")
		return
	}
	serveFile(w, r, area.Object(name, k))
}

// serveFile serves one file (ranges and HEAD included).
func serveFile(w http.ResponseWriter, r *http.Request, path string) {
	f, err := os.Open(path)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	http.ServeContent(w, r, "", st.ModTime(), f)
}
