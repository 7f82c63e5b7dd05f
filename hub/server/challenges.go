package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/shardkeeper/shardkeeper/hub/store"
	"github.com/shardkeeper/shardkeeper/internal/proof"
)

// AnswerRequest is the body of POST /api/v1/donors/{uuid}/challenges/{id}:
// the answer, or not_held when the donor does not have the key (a failure,
// but an honest one, settled at once).
type AnswerRequest struct {
	Answer  string `json:"answer"`
	NotHeld bool   `json:"not_held"`
}

// AnswerResponse says whether the answer proved the donor holds the bytes.
type AnswerResponse struct {
	Passed bool `json:"passed"`
}

// openChallenges answers GET /api/v1/donors/{uuid}/challenges.
func (s *Server) openChallenges(w http.ResponseWriter, r *http.Request, d store.Donor) {
	open, err := s.donors.OpenChallenges(d.UUID, s.cfg.Now())
	if err != nil {
		s.internalError(w, "list challenges", err)
		return
	}
	out := make([]proof.Challenge, 0, len(open))
	for _, c := range open {
		out = append(out, c.Challenge)
	}
	writeJSON(w, http.StatusOK, out)
}

// answerChallenge answers POST /api/v1/donors/{uuid}/challenges/{id}.
func (s *Server) answerChallenge(w http.ResponseWriter, r *http.Request, d store.Donor) {
	var req AnswerRequest
	if !readBody(w, r, &req) {
		return
	}
	c, err := s.donors.Challenge(d.UUID, r.PathValue("id"))
	if errors.Is(err, store.ErrNoChallenge) {
		writeError(w, http.StatusNotFound, "no such challenge for this donor")
		return
	}
	if err != nil {
		s.internalError(w, "read the challenge", err)
		return
	}
	now := s.cfg.Now()
	switch {
	case c.Result != "" || c.Answer != "":
		writeError(w, http.StatusConflict, "this challenge was answered already")
		return
	case !now.Before(c.Expires):
		s.settle(d.UUID, c, store.ResultExpired)
		writeError(w, http.StatusGone, "this challenge expired before the answer came")
		return
	case req.NotHeld:
		s.settle(d.UUID, c, store.ResultNotHeld)
		writeJSON(w, http.StatusOK, AnswerResponse{Passed: false})
		return
	case req.Answer == "":
		writeError(w, http.StatusBadRequest, `send {"answer": "<hex SHA-256>"} or {"not_held": true}`)
		return
	}
	// Kept first, so an answer the hub cannot check now is checked later.
	if err := s.donors.RecordAnswer(d.UUID, c.ID, req.Answer, now); err != nil {
		writeError(w, http.StatusConflict, "this challenge was answered already")
		return
	}
	passed, err := s.settleAnswer(r.Context(), c, req.Answer)
	if err != nil {
		s.log.Warn("cannot check a proof-of-storage answer now", "donor", d.UUID, "key", c.Key, "err", err)
		writeError(w, http.StatusServiceUnavailable, "the hub cannot read the archive's copy to check this answer now; it will check it later")
		return
	}
	writeJSON(w, http.StatusOK, AnswerResponse{Passed: passed})
}

// settleAnswer checks answer against the archive's copy and records the
// result. The error means the hub could not check (the challenge stays
// open with its answer, for the next round).
func (s *Server) settleAnswer(ctx context.Context, c store.Issued, answer string) (bool, error) {
	want, err := s.expectedAnswer(ctx, c.Challenge)
	if err != nil {
		return false, err
	}
	passed := proof.Check(want, answer)
	result := store.ResultFailed
	if passed {
		result = store.ResultPassed
	}
	s.settle(c.Donor, c, result)
	return passed, nil
}

// settle records a result and logs the donor's standing.
func (s *Server) settle(donor string, c store.Issued, result string) {
	st, err := s.donors.Settle(donor, c.ID, result, s.cfg.Now())
	if err != nil {
		if !errors.Is(err, store.ErrSettled) {
			s.log.Error("record a proof-of-storage result", "donor", donor, "err", err)
		}
		return
	}
	attrs := []any{"donor", donor, "shard", c.Shard, "key", c.Key, "result", result, "failures_in_a_row", st.FailsInRow}
	switch {
	case result == store.ResultPassed:
		s.log.Info("proof of storage passed", attrs...)
	case result == store.ResultUnchecked:
		s.log.Warn("proof of storage set aside: the archive's copy could not be read to check it", attrs...)
	case st.FailsInRow == store.MaxProofFailures:
		s.log.Warn("proof of storage failed: the donor's copies stop counting", attrs...)
	default:
		s.log.Warn("proof of storage failed", attrs...)
	}
}
