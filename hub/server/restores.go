package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/restore"
	"github.com/shardkeeper/shardkeeper/hub/shard"
	"github.com/shardkeeper/shardkeeper/hub/store"
	"github.com/shardkeeper/shardkeeper/internal/restoreapi"
)

// Restore defaults (docs/restore.md).
const (
	// DefaultAskSilence: a donor asked for a file that has not uploaded it
	// within this long is passed over for another donor holding it.
	DefaultAskSilence = 15 * time.Minute
	// maxAskedPerDonor bounds the files one donor is asked for at once, so
	// every donor holding a shard's files gets a share of a big restore.
	maxAskedPerDonor = 64
)

// The restore API's answers on the wire (internal/restoreapi, which the
// donor's agent/hubclient reads).
type (
	RestoresResponse = restoreapi.Requests
	RestoreRequest   = restoreapi.Request
	UploadResponse   = restoreapi.PutResult
)

// eligible reports whether a donor may be asked to upload a file of shard:
// assigned the shard, not leaving, heard from within the expiry and not
// failing its proofs of storage.
func (s *Server) eligible(d store.Donor, shardName string, now time.Time) bool {
	return d.Holds(shardName) && !d.Leaving() && !d.FailingProofs() && !d.HeardFrom().Before(now.Add(-s.cfg.Expiry))
}

// listRestores answers GET /api/v1/donors/{uuid}/restores: the requests
// this donor is asked to upload now. A request nobody is asked for, or
// whose asked donor stayed silent or stopped counting, goes to this donor
// when its location log holds the key and it has not uploaded it before.
func (s *Server) listRestores(w http.ResponseWriter, r *http.Request, d store.Donor) {
	now := s.cfg.Now()
	out := RestoresResponse{RemoteUUIDByShard: map[string]string{}, Requests: []RestoreRequest{}}
	remotes, err := s.donors.RestoreRemotes()
	if err != nil {
		s.internalError(w, "list restore requests", err)
		return
	}
	for _, name := range d.Shards {
		if id, ok := remotes[name]; ok {
			out.RemoteUUIDByShard[name] = id
		}
	}
	reqs, err := s.donors.RequestsIn(d.Shards)
	if err == nil {
		out.Requests, err = s.askDonor(d, reqs, now)
	}
	if err != nil {
		s.internalError(w, "list restore requests", err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) askDonor(d store.Donor, reqs []store.Request, now time.Time) ([]RestoreRequest, error) {
	all, err := s.donors.Donors()
	if err != nil {
		return nil, err
	}
	byID := map[string]store.Donor{}
	for _, x := range all {
		byID[x.UUID] = x
	}
	out := []RestoreRequest{}
	for _, req := range reqs {
		if store.Verified(req.State) {
			continue
		}
		if req.AskedDonor != d.UUID {
			if len(out) >= maxAskedPerDonor || !s.eligible(d, req.Shard, now) {
				continue
			}
			if other, ok := byID[req.AskedDonor]; ok && now.Sub(req.AskedAt) < s.askSilence() && s.eligible(other, req.Shard, now) {
				continue // someone else is on it
			}
			if holders, _ := s.tracker.Holders(req.Shard, annex.Key(req.Key)); !slices.Contains(holders, d.UUID) {
				continue
			}
			ups, err := s.donors.Uploads(req.ID)
			if err != nil {
				return nil, err
			}
			if slices.ContainsFunc(ups, func(u store.Upload) bool {
				return u.Donor == d.UUID && (u.Accepted || now.Sub(u.At) < s.askSilence())
			}) {
				continue // its bytes were taken already, or refused lately: others first
			}
			ok, err := s.donors.Ask(req.ID, d.UUID, req.AskedDonor, now)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			s.log.Info("donor asked to upload a file", "donor", d.UUID, "shard", req.Shard, "key", req.Key)
		}
		out = append(out, RestoreRequest{ID: req.ID, Shard: req.Shard, Key: req.Key, Size: req.Size, Path: req.Path})
	}
	return out, nil
}

func (s *Server) askSilence() time.Duration {
	if s.cfg.AskSilence > 0 {
		return s.cfg.AskSilence
	}
	return DefaultAskSilence
}

// restoreTarget checks the shard and key of a restore path and that the
// donor holds the shard; otherwise it answers itself.
func (s *Server) restoreTarget(w http.ResponseWriter, r *http.Request, d store.Donor) (string, annex.Key, bool) {
	name, key := r.PathValue("shard"), annex.Key(r.PathValue("key"))
	if err := restore.CheckName(name, key); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return "", "", false
	}
	if _, ok := s.catalog().byName[name]; !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("this hub serves no shard %s", name))
		return "", "", false
	}
	if !d.Holds(name) {
		writeError(w, http.StatusForbidden, fmt.Sprintf("this donor does not hold %s", name))
		return "", "", false
	}
	return name, key, true
}

// restoreStatus answers GET /api/v1/donors/{uuid}/restores/{shard}/{key}:
// 200 when the hub holds a verified copy.
func (s *Server) restoreStatus(w http.ResponseWriter, r *http.Request, d store.Donor) {
	name, key, ok := s.restoreTarget(w, r, d)
	if !ok {
		return
	}
	if !restore.AreaOf(s.cfg.DataDir).Has(name, key) {
		writeError(w, http.StatusNotFound, "the hub holds no verified copy of this key")
		return
	}
	writeJSON(w, http.StatusOK, UploadResponse{State: store.StateVerified, Message: "the hub holds a verified copy"})
}

// putRestore answers PUT /api/v1/donors/{uuid}/restores/{shard}/{key}: a
// donor's upload of a requested key, verified before it is accepted.
func (s *Server) putRestore(w http.ResponseWriter, r *http.Request, d store.Donor) {
	name, key, ok := s.restoreTarget(w, r, d)
	if !ok {
		return
	}
	req, err := s.donors.OpenRequest(name, string(key))
	if errors.Is(err, store.ErrNoRequest) {
		writeError(w, http.StatusNotFound, "the hub has no open restore request for this key")
		return
	}
	if err != nil {
		s.internalError(w, "read the restore request", err)
		return
	}
	if store.Verified(req.State) {
		s.alreadyVerified(w, req, d)
		return
	}
	holders, inShard := s.holders(r.Context(), name, key, d.UUID)
	if !inShard {
		writeError(w, http.StatusNotFound, "this key is not a file of "+name)
		return
	}
	if !slices.Contains(holders, d.UUID) {
		writeError(w, http.StatusForbidden, "this donor's location log does not say it holds this key; push your git-annex branch first")
		return
	}
	size, _ := key.Size()
	if r.ContentLength > size {
		s.refuse(w, d, req, http.StatusRequestEntityTooLarge, restore.ErrTooLarge, r.ContentLength)
		return
	}
	got, err := restore.AreaOf(s.cfg.DataDir).Receive(name, key, r.Body)
	switch {
	case errors.Is(err, restore.ErrTooLarge):
		s.refuse(w, d, req, http.StatusRequestEntityTooLarge, err, size+1)
		return
	case errors.Is(err, restore.ErrTruncated), errors.Is(err, restore.ErrMismatch):
		s.refuse(w, d, req, http.StatusUnprocessableEntity, err, got.Bytes)
		return
	case err != nil:
		s.internalError(w, "receive the upload", err)
		return
	}
	resp, status, err := s.accept(d, req, key, holders, got)
	if err != nil {
		got.Discard()
		s.internalError(w, "keep the upload", err)
		return
	}
	if store.Verified(resp.State) {
		s.queueReinject(name)
	}
	writeJSON(w, status, resp)
}

// holders is who the location logs say holds key; when the donor is not
// among them the shard is read again first (it may have just pushed).
func (s *Server) holders(ctx context.Context, name string, key annex.Key, donor string) ([]string, bool) {
	holders, inShard := s.tracker.Holders(name, key)
	if !slices.Contains(holders, donor) {
		if err := s.tracker.RefreshShard(ctx, name); err != nil {
			s.log.Error("health", "shard", name, "err", err)
		}
		holders, inShard = s.tracker.Holders(name, key)
	}
	return holders, inShard
}

// alreadyVerified answers an upload of a verified key: the donor whose
// bytes were taken is told so again (uploads are idempotent), anyone else
// gets 409, which the agent treats as done.
func (s *Server) alreadyVerified(w http.ResponseWriter, req store.Request, d store.Donor) {
	if req.VerifiedBy == d.UUID {
		writeJSON(w, http.StatusOK, UploadResponse{State: req.State, Message: "already verified from your upload; thank you"})
		return
	}
	writeError(w, http.StatusConflict, "this file was already verified from another donor's upload; nothing more is needed")
}

// refuse records a refused upload (a failed proof of storage for the
// donor; another donor holding the key is asked next) and answers.
func (s *Server) refuse(w http.ResponseWriter, d store.Donor, req store.Request, status int, why error, n int64) {
	u := store.Upload{Request: req.ID, Donor: d.UUID, Accepted: false, Reason: why.Error(), Bytes: n}
	if err := s.donors.RecordUpload(u, "", s.cfg.Now()); err != nil {
		s.log.Error("record a refused upload", "donor", d.UUID, "err", err)
	}
	s.log.Warn("restore upload refused", "donor", d.UUID, "shard", req.Shard, "key", req.Key, "reason", why.Error())
	writeError(w, status, fmt.Sprintf("upload refused: %s; it counts as a failed proof of storage", why))
}

// accept keeps verified bytes. A SHA-256 key is verified by its checksum.
// An MD5-only key is verified when a second donor's bytes agree byte for
// byte, or as single-source when no other counting donor holds it.
func (s *Server) accept(d store.Donor, req store.Request, key annex.Key, holders []string, got restore.Received) (UploadResponse, int, error) {
	s.restoreMu.Lock()
	defer s.restoreMu.Unlock()
	area := restore.AreaOf(s.cfg.DataDir)
	if cur, err := s.donors.OpenRequest(req.Shard, req.Key); err == nil && store.Verified(cur.State) {
		got.Discard()
		if cur.VerifiedBy == d.UUID {
			return UploadResponse{State: cur.State, Message: "already verified from your upload; thank you"}, http.StatusOK, nil
		}
		return UploadResponse{State: cur.State, Message: "already verified from another donor's upload"}, http.StatusConflict, nil
	}
	state, msg := store.StateVerified, "verified: the SHA-256 matches; thank you"
	if !restore.MD5Only(key) {
		if err := area.Keep(req.Shard, key, got); err != nil {
			return UploadResponse{}, 0, err
		}
	} else {
		var err error
		if state, msg, err = s.acceptMD5(d, req, key, holders, got); err != nil {
			return UploadResponse{}, 0, err
		}
	}
	u := store.Upload{Request: req.ID, Donor: d.UUID, Accepted: true, SHA256: got.SHA256, Bytes: got.Bytes}
	if err := s.donors.RecordUpload(u, state, s.cfg.Now()); err != nil {
		return UploadResponse{}, 0, err
	}
	s.log.Info("restore upload accepted", "donor", d.UUID, "shard", req.Shard, "key", req.Key, "state", state)
	return UploadResponse{State: state, Message: msg}, http.StatusOK, nil
}

func (s *Server) acceptMD5(d store.Donor, req store.Request, key annex.Key, holders []string, got restore.Received) (string, string, error) {
	area := restore.AreaOf(s.cfg.DataDir)
	others, err := area.Hold(req.Shard, key, d.UUID, got)
	if err != nil {
		return "", "", err
	}
	mine := others[:0:0]
	for _, o := range others {
		same, err := restore.SameBytes(o, area.Held(req.Shard, key, d.UUID))
		if err != nil {
			return "", "", err
		}
		if same {
			mine = append(mine, o)
		}
	}
	if len(mine) > 0 {
		return store.StateVerified, "verified: two donors' bytes agree and match the MD5; thank you", area.Promote(req.Shard, key, d.UUID)
	}
	if more, err := s.othersMayUpload(req, holders, d.UUID); err != nil || more {
		return store.StateUploaded, "accepted: the MD5 matches; waiting for a second donor's bytes to agree", err
	}
	return store.StateVerifiedSingleMD5, "verified, single MD5 source: no other donor holds this file; thank you", area.Promote(req.Shard, key, d.UUID)
}

// othersMayUpload reports whether a counting donor other than self holds
// the key and has not uploaded it yet.
func (s *Server) othersMayUpload(req store.Request, holders []string, self string) (bool, error) {
	ups, err := s.donors.Uploads(req.ID)
	if err != nil {
		return false, err
	}
	now := s.cfg.Now()
	for _, h := range holders {
		if h == self || slices.ContainsFunc(ups, func(u store.Upload) bool { return u.Donor == h }) {
			continue
		}
		if d, err := s.donors.Donor(h); err == nil && s.eligible(d, req.Shard, now) {
			return true, nil
		}
	}
	return false, nil
}

// reinject records the hub's restore remote R as holding every verified,
// not yet re-injected key of the shard, so git-annex in any clone gets
// them from the hub (docs/restore.md).
func (s *Server) reinject(ctx context.Context, name string) error {
	s.branchMu.Lock()
	defer s.branchMu.Unlock()
	reqs, err := s.donors.Unreinjected(name)
	if err != nil {
		return err
	}
	area := restore.AreaOf(s.cfg.DataDir)
	var keys []annex.Key
	var ids []string
	for _, req := range reqs {
		if area.Has(name, annex.Key(req.Key)) {
			keys, ids = append(keys, annex.Key(req.Key)), append(ids, req.ID)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	g := s.cfg.Git
	g.Dir = shard.RepoDir(s.cfg.DataDir, name)
	now := s.cfg.Now()
	r, err := restore.EnsureRemote(ctx, g, s.donors, name, now)
	if err != nil {
		return err
	}
	if _, err := restore.SetLocations(ctx, g, keys, r, annex.StatusPresent, now, "shardhub: restored files are in the restore area"); err != nil {
		return err
	}
	if err := s.donors.MarkReinjected(ids, now); err != nil {
		return err
	}
	s.log.Info("restored files re-injected", "shard", name, "files", len(keys))
	return s.tracker.RefreshShard(ctx, name)
}

// reinjecter records verified files on the branch in the background, one
// commit for whatever was verified meanwhile, so an upload's answer never
// waits for git.
type reinjecter struct {
	mu      sync.Mutex
	due     map[string]bool
	running bool
	wg      sync.WaitGroup
}

// queueReinject has the shard's verified files re-injected soon.
func (s *Server) queueReinject(name string) {
	q := &s.reinjects
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.due == nil {
		q.due = map[string]bool{}
	}
	q.due[name] = true
	if !q.running {
		q.running = true
		q.wg.Add(1)
		go s.reinjectLoop()
	}
}

func (s *Server) reinjectLoop() {
	q := &s.reinjects
	defer q.wg.Done()
	for {
		q.mu.Lock()
		due := q.due
		q.due = nil
		if len(due) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
		for name := range due {
			if err := s.reinject(context.Background(), name); err != nil {
				s.log.Error("record restored files on the git-annex branch (retried every round)", "shard", name, "err", err)
			}
		}
	}
}

// ReinjectAll re-injects what is verified in every shard (a failure after
// an upload is retried here, every challenge round).
func (s *Server) ReinjectAll(ctx context.Context) {
	for _, info := range s.catalog().order {
		if err := s.reinject(ctx, info.Name); err != nil {
			s.log.Error("record restored files on the git-annex branch", "shard", info.Name, "err", err)
		}
	}
}
