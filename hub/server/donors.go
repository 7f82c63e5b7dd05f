package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shardkeeper/shardkeeper/hub/store"
)

// RegisterRequest is the body of POST /api/v1/donors.
type RegisterRequest struct {
	Name        string `json:"name"`          // optional display name
	ShowOnBoard bool   `json:"show_on_board"` // may the name appear on the health page
	Place
	// Collection is the collection the donor wants a shard of; "" means
	// wherever it is needed most.
	Collection string `json:"collection"`
}

// RegisterResponse is its answer; the token is shown this once.
type RegisterResponse struct {
	UUID         string   `json:"uuid"`
	Token        string   `json:"token"`
	Shard        ShardRef `json:"shard"`
	TargetCopies int      `json:"target_copies"`
}

// ShardRef tells a donor where its shard is.
type ShardRef struct {
	Name       string `json:"name"`
	Collection string `json:"collection"`
	URL        string `json:"url"` // git clone URL
	Files      int    `json:"files"`
	Bytes      int64  `json:"bytes"`
}

// ShardResponse answers POST /api/v1/donors/{uuid}/shards.
type ShardResponse struct {
	Shard ShardRef `json:"shard"`
}

// DonorRecord is what the hub tells a donor about itself (never the token
// or its hash).
type DonorRecord struct {
	UUID         string      `json:"uuid"`
	Name         string      `json:"name"`
	ShowOnBoard  bool        `json:"show_on_board"`
	Shards       []string    `json:"shards"`
	RegisteredAt time.Time   `json:"registered_at"`
	LastSeen     *time.Time  `json:"last_seen"` // last accepted push; null before the first
	Leaving      bool        `json:"leaving"`
	Proof        ProofRecord `json:"proof"`
	Region       string      `json:"region"`
	BudgetBytes  int64       `json:"budget_bytes"`
	MaxFileBytes int64       `json:"max_file_bytes"`
	// LeavingShards are the shards the donor is giving back.
	LeavingShards []string `json:"leaving_shards"`
	// ShardURLs are the clone URLs of the donor's shards: where each is
	// served now (a shard may move to another hub host).
	ShardURLs map[string]string `json:"shard_urls,omitempty"`
}

// ProofRecord is the donor's standing at proofs of storage.
type ProofRecord struct {
	FailuresInARow int        `json:"failures_in_a_row"`
	Counting       bool       `json:"counting"` // false after store.MaxProofFailures in a row
	LastPassed     *time.Time `json:"last_passed"`
	LastFailed     *time.Time `json:"last_failed"`
}

// PatchRequest is the body of PATCH /api/v1/donors/{uuid}; absent fields
// stay as they are.
type PatchRequest struct {
	Name        *string `json:"name"`
	ShowOnBoard *bool   `json:"show_on_board"`
	PlacePatch
}

const maxNameLen = 100

func (s *Server) registerDonor(w http.ResponseWriter, r *http.Request) {
	var req RegisterRequest
	if !readBody(w, r, &req) {
		return
	}
	name := strings.TrimSpace(req.Name)
	if msg := checkName(name); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	if msg := req.Place.check(); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	pick, err := s.collectionPicker(r.Context(), req.Collection, req.Region, true)
	var d store.Donor
	var token string
	if err == nil {
		d, token, err = s.donors.Register(name, req.ShowOnBoard, s.cfg.Now(), pick)
	}
	if err == nil {
		d, err = s.donors.Update(d.UUID, req.Place.patch())
	}
	if s.pickError(w, err, req.Collection) {
		return
	}
	if errors.Is(err, store.ErrNoShards) {
		writeError(w, http.StatusServiceUnavailable, "this hub has no shards to hand out yet; try again later")
		return
	}
	if err != nil {
		s.internalError(w, "register donor", err)
		return
	}
	s.log.Info("donor registered", "donor", d.UUID, "shard", d.Shards[0])
	w.Header().Set("Cache-Control", "no-store") // the answer holds a secret
	writeJSON(w, http.StatusCreated, RegisterResponse{
		UUID:         d.UUID,
		Token:        token,
		Shard:        s.shardRef(r, d.Shards[0]),
		TargetCopies: s.cfg.TargetCopies,
	})
}

// donorOnly lets a handler run only for the donor named in the path,
// authenticated by its token.
func (s *Server) donorOnly(h func(http.ResponseWriter, *http.Request, store.Donor)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		d, ok := s.donors.Authenticate(requestToken(r))
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="shardhub"`)
			writeError(w, http.StatusUnauthorized, "this needs the donor's token: send it as a Bearer token")
			return
		}
		noteDonor(r, d.UUID)
		if d.UUID != r.PathValue("uuid") {
			writeError(w, http.StatusForbidden, "this token belongs to another donor")
			return
		}
		h(w, r, d)
	}
}

func (s *Server) getDonor(w http.ResponseWriter, r *http.Request, d store.Donor) {
	writeJSON(w, http.StatusOK, s.donorRecord(r, d))
}

// donorRecord is the donor's record with where its shards are served now
// (a donor asks after a push was refused: not as of the last heartbeat).
func (s *Server) donorRecord(r *http.Request, d store.Donor) DonorRecord {
	rec := record(d)
	s.hosts.refresh(s)
	rec.ShardURLs = map[string]string{}
	for _, name := range d.Shards {
		rec.ShardURLs[name] = s.cloneURL(r, name)
	}
	return rec
}

func (s *Server) patchDonor(w http.ResponseWriter, r *http.Request, d store.Donor) {
	var req PatchRequest
	if !readBody(w, r, &req) {
		return
	}
	if req.Name != nil {
		name := strings.TrimSpace(*req.Name)
		if msg := checkName(name); msg != "" {
			writeError(w, http.StatusBadRequest, msg)
			return
		}
		req.Name = &name
	}
	if msg := req.PlacePatch.check(); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	p := req.PlacePatch.patch()
	p.Name, p.ShowOnBoard = req.Name, req.ShowOnBoard
	d, err := s.donors.Update(d.UUID, p)
	if err != nil {
		s.internalError(w, "update donor", err)
		return
	}
	writeJSON(w, http.StatusOK, s.donorRecord(r, d))
}

func (s *Server) moreShards(w http.ResponseWriter, r *http.Request, d store.Donor) {
	if d.Leaving() {
		writeError(w, http.StatusConflict, "this donor is leaving; it gets no more shards")
		return
	}
	var req struct {
		Collection string `json:"collection"`
	}
	if !readBody(w, r, &req) {
		return
	}
	pick, err := s.collectionPicker(r.Context(), req.Collection, d.Region, false)
	var name string
	if err == nil {
		d, name, err = s.donors.AddShard(d.UUID, s.cfg.Now(), pick)
	}
	if s.pickError(w, err, req.Collection) {
		return
	}
	if errors.Is(err, store.ErrNoShards) {
		writeError(w, http.StatusConflict, "no other shard needs copies now; thank you, try again later")
		return
	}
	if err != nil {
		s.internalError(w, "assign a shard", err)
		return
	}
	s.log.Info("donor given another shard", "donor", d.UUID, "shard", name)
	writeJSON(w, http.StatusCreated, ShardResponse{Shard: s.shardRef(r, name)})
}

func (s *Server) leave(w http.ResponseWriter, r *http.Request, d store.Donor) {
	if _, err := s.donors.Leave(d.UUID, s.cfg.Now()); err != nil {
		s.internalError(w, "mark donor leaving", err)
		return
	}
	s.log.Info("donor leaving", "donor", d.UUID)
	// Other donors replace its copies once trust.log says so; a failure
	// here is retried by the next challenge round.
	if err := s.untrustLeaver(r.Context(), d); err != nil {
		s.log.Error("mark a leaving donor untrusted", "donor", d.UUID, "err", err)
	}
	writeJSON(w, http.StatusOK, struct {
		Leaving bool `json:"leaving"`
	}{true})
}

// deleteDonor deregisters the donor and deletes its refs: its copies stop
// counting at once.
func (s *Server) deleteDonor(w http.ResponseWriter, r *http.Request, d store.Donor) {
	if err := s.donors.Delete(d.UUID); err != nil {
		s.internalError(w, "delete donor", err)
		return
	}
	for _, info := range s.catalog().order {
		s.deleteRef(r.Context(), d.UUID, info.Name)
	}
	if err := s.refreshAll(r.Context()); err != nil {
		s.log.Error("health", "err", err)
	}
	s.log.Info("donor deregistered", "donor", d.UUID)
	w.WriteHeader(http.StatusNoContent)
}

func record(d store.Donor) DonorRecord {
	rec := DonorRecord{UUID: d.UUID, Name: d.Name, ShowOnBoard: d.ShowOnBoard, Shards: d.Shards,
		RegisteredAt: d.RegisteredAt, Leaving: d.Leaving(),
		Proof: ProofRecord{FailuresInARow: d.Proof.FailsInRow, Counting: !d.FailingProofs(),
			LastPassed: timeOrNil(d.Proof.LastPassed), LastFailed: timeOrNil(d.Proof.LastFailed)},
		Region: d.Region, BudgetBytes: d.BudgetBytes, MaxFileBytes: d.MaxFileBytes, LeavingShards: d.LeavingShards}
	if rec.LeavingShards == nil {
		rec.LeavingShards = []string{}
	}
	if !d.LastSeen.IsZero() {
		rec.LastSeen = &d.LastSeen
	}
	return rec
}

func (s *Server) shardRef(r *http.Request, name string) ShardRef {
	info := s.catalog().byName[name]
	return ShardRef{Name: name, Collection: info.Collection, URL: s.cloneURL(r, name), Files: info.Files, Bytes: info.Bytes}
}

func (s *Server) cloneURL(r *http.Request, shardName string) string {
	return s.shardBase(r, shardName) + "/git/" + shardName + ".git"
}

// readBody decodes a JSON body (an empty one is fine) or answers 400.
func readBody(w http.ResponseWriter, r *http.Request, v any) bool {
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(v)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is too large: at most %d bytes", tooBig.Limit))
		return false
	}
	if err != nil && !errors.Is(err, io.EOF) {
		writeError(w, http.StatusBadRequest, `the body must be JSON such as {"name": "my laptop"}`)
		return false
	}
	return true
}

func (s *Server) internalError(w http.ResponseWriter, what string, err error) {
	s.log.Error(what, "err", err)
	writeError(w, http.StatusInternalServerError, fmt.Sprintf("could not %s; try again later", what))
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

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
