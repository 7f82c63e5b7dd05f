package server

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shardkeeper/shardkeeper/hub/store"
)

// RegisterRequest is the body of POST /api/v1/donors.
type RegisterRequest struct {
	Name string `json:"name"` // optional display name
}

// RegisterResponse is its answer; the token is shown this once.
type RegisterResponse struct {
	UUID  string   `json:"uuid"`
	Token string   `json:"token"`
	Shard ShardRef `json:"shard"`
}

// ShardRef tells a donor where its shard is.
type ShardRef struct {
	Name  string `json:"name"`
	URL   string `json:"url"` // git clone URL
	Files int    `json:"files"`
	Bytes int64  `json:"bytes"`
}

const maxNameLen = 100

func (s *Server) registerDonor(w http.ResponseWriter, r *http.Request) {
	var req RegisterRequest
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req)
	if err != nil && !errors.Is(err, io.EOF) { // an empty body is fine
		writeError(w, http.StatusBadRequest, `the body must be JSON such as {"name": "my laptop"}`)
		return
	}
	name := strings.TrimSpace(req.Name)
	if msg := checkName(name); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	d, token, err := s.donors.Register(name, s.cfg.Now())
	if errors.Is(err, store.ErrNoShards) {
		writeError(w, http.StatusServiceUnavailable, "this hub has no shards to hand out yet; try again later")
		return
	}
	if err != nil {
		s.log.Error("register donor", "err", err)
		writeError(w, http.StatusInternalServerError, "could not register the donor; try again later")
		return
	}
	s.log.Info("donor registered", "donor", d.UUID, "shard", d.Shard)
	info := s.shards[d.Shard]
	w.Header().Set("Cache-Control", "no-store") // the answer holds a secret
	writeJSON(w, http.StatusCreated, RegisterResponse{
		UUID:  d.UUID,
		Token: token,
		Shard: ShardRef{Name: d.Shard, URL: s.cloneURL(r, d.Shard), Files: info.Files, Bytes: info.Bytes},
	})
}

func (s *Server) cloneURL(r *http.Request, shardName string) string {
	return s.publicURL(r) + "/git/" + shardName + ".git"
}

// checkName returns why a display name is refused, or "".
func checkName(name string) string {
	if utf8.RuneCountInString(name) > maxNameLen {
		return "the name is too long: at most 100 characters"
	}
	if !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "the name must be plain text without control characters"
	}
	return ""
}
