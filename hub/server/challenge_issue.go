package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/shardkeeper/shardkeeper/hub/health"
	"github.com/shardkeeper/shardkeeper/hub/store"
	"github.com/shardkeeper/shardkeeper/internal/proof"
)

// Defaults for proofs of storage.
const (
	DefaultChallengeEvery = 24 * time.Hour
	DefaultChallengeTTL   = 24 * time.Hour
)

// ErrNothingToChallenge: the merged location logs say the donor holds no
// key (with a known size) yet.
var ErrNothingToChallenge = errors.New("the donor holds no file to challenge yet")

// Issuer makes proof-of-storage challenges; the server's scheduler and
// `shardhub challenge` share it.
type Issuer struct {
	Tracker *health.Tracker // current (the caller refreshes it)
	Store   store.Store
	Rand    io.Reader // crypto/rand.Reader in production
	TTL     time.Duration
}

// Issue challenges d for a random key it holds, per the merged location
// logs, and records the challenge (store.ErrChallengeOpen when one is
// still open).
func (is Issuer) Issue(d store.Donor, now time.Time) (proof.Challenge, error) {
	held := is.Tracker.Held(d.UUID)
	if len(held) == 0 {
		return proof.Challenge{}, ErrNothingToChallenge
	}
	i, err := rand.Int(is.Rand, big.NewInt(int64(len(held))))
	if err != nil {
		return proof.Challenge{}, fmt.Errorf("pick a key: %w", err)
	}
	k := held[i.Int64()]
	id := make([]byte, 16)
	if _, err := io.ReadFull(is.Rand, id); err != nil {
		return proof.Challenge{}, fmt.Errorf("make a challenge id: %w", err)
	}
	c, err := proof.New(is.Rand, hex.EncodeToString(id), k.Shard, string(k.Key), k.Size, now.Add(is.TTL).UTC())
	if err != nil {
		return proof.Challenge{}, err
	}
	if err := is.Store.AddChallenge(d.UUID, c, now); err != nil {
		return proof.Challenge{}, err
	}
	return c, nil
}

func (s *Server) issuer() Issuer {
	return Issuer{Tracker: s.tracker, Store: s.donors, Rand: s.cfg.Rand, TTL: s.cfg.ChallengeTTL}
}

// RunChallenges runs a challenge round at every tick until ctx ends
// (shardhub serve ticks every minute; tests call ChallengeRound).
func (s *Server) RunChallenges(ctx context.Context, tick <-chan time.Time) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			if err := s.ChallengeRound(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("proof of storage round", "err", err)
			}
			s.KeepHistory(ctx)
		}
	}
}

// ChallengeRound settles what is due and challenges who is due: open
// challenges past their expiry fail; answers the hub could not check
// before are checked again; every donor that is not leaving, not expired,
// has no open challenge and was last challenged ChallengeEvery ago or
// more gets a new one. Leaving donors are made sure to be untrusted.
func (s *Server) ChallengeRound(ctx context.Context) error {
	if !s.leads() {
		// Another hub host runs the rounds; this one marks leaving
		// donors untrusted in the shards it serves.
		return s.untrustLeavers(ctx)
	}
	now := s.cfg.Now()
	expired, err := s.donors.ExpireChallenges(now)
	if err != nil {
		return err
	}
	for _, c := range expired {
		s.log.Info("proof of storage failed: no answer in time", "donor", c.Donor, "shard", c.Shard, "key", c.Key)
	}
	unchecked, err := s.donors.Unchecked()
	if err != nil {
		return err
	}
	for _, c := range unchecked {
		_, err := s.settleAnswer(ctx, c, c.Answer)
		switch {
		case err == nil:
		case now.Sub(c.AnsweredAt) > s.cfg.ChallengeTTL:
			// Never blame the donor for the archive: set it aside, so
			// the donor can be challenged again.
			s.settle(c.Donor, c, store.ResultUnchecked)
		default:
			s.log.Warn("cannot check a proof-of-storage answer yet", "donor", c.Donor, "key", c.Key, "err", err)
		}
	}
	if err := s.fresh(ctx); err != nil {
		return err
	}
	donors, err := s.donors.Donors()
	if err != nil {
		return err
	}
	is := s.issuer()
	for _, d := range donors {
		if d.Leaving() {
			if err := s.untrustLeaver(ctx, d); err != nil {
				s.log.Error("mark a leaving donor untrusted", "donor", d.UUID, "err", err)
			}
			continue
		}
		if d.HeardFrom().Before(now.Add(-s.cfg.Expiry)) || now.Sub(d.Proof.LastChallenged) < s.cfg.ChallengeEvery {
			continue
		}
		c, err := is.Issue(d, now)
		switch {
		case errors.Is(err, ErrNothingToChallenge), errors.Is(err, store.ErrChallengeOpen):
		case err != nil:
			s.log.Error("issue a proof-of-storage challenge", "donor", d.UUID, "err", err)
		default:
			s.log.Info("proof of storage challenge issued", "donor", d.UUID, "shard", c.Shard, "key", c.Key, "expires", c.Expires)
		}
	}
	s.ReinjectAll(ctx) // retries what an upload could not record
	return nil
}

// untrustLeavers makes sure every leaving donor is untrusted in the shards
// this hub host serves.
func (s *Server) untrustLeavers(ctx context.Context) error {
	donors, err := s.donors.Donors()
	if err != nil {
		return err
	}
	for _, d := range donors {
		if d.Leaving() {
			if err := s.untrustLeaver(ctx, d); err != nil {
				s.log.Error("mark a leaving donor untrusted", "donor", d.UUID, "err", err)
			}
		}
	}
	return nil
}
