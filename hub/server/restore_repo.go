package server

import (
	"fmt"
	"net/http"
	"os"
	"strings"

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
		f, err := os.Open(area.Object(name, key))
		if err != nil {
			http.NotFound(w, r)
			return true
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			http.NotFound(w, r)
			return true
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		http.ServeContent(w, r, "", st.ModTime(), f)
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
