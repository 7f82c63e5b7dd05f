package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/hubclient"
	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/internal/proof"
)

// proofTimeout bounds one exchange with the hub about challenges.
const proofTimeout = 30 * time.Second

// answerChallenges answers the hub's open proof-of-storage challenges
// (docs/proof-of-storage.md) from the object files on this machine, never
// from the network. It runs once per cycle; a hub without proofs of
// storage (404) is skipped silently, and a failure waits for the next
// cycle.
func (a *Agent) answerChallenges(ctx context.Context) {
	a.mu.Lock()
	uuid, token := a.cfg.DonorUUID, a.cfg.Token
	a.mu.Unlock()
	cctx, cancel := context.WithTimeout(ctx, proofTimeout)
	open, err := a.hub.Challenges(cctx, uuid, token)
	cancel()
	if errors.Is(err, hubclient.ErrNotSupported) || ctx.Err() != nil {
		return
	}
	if err != nil {
		a.log.Warn("could not ask the hub for proof-of-storage challenges", "err", err)
		return
	}
	for _, c := range open {
		a.answerChallenge(ctx, uuid, token, c)
	}
}

// answerChallenge answers one challenge: with the hash of the bytes when
// the object is here, "not held" when it is not (an honest failure), and
// not at all while the object's storage is not connected or unreadable
// (the challenge may expire, which also fails).
func (a *Agent) answerChallenge(ctx context.Context, uuid, token string, c proof.Challenge) {
	path, online := a.objectPath(c.Shard, annex.Key(c.Key))
	if !online {
		a.log.Info("proof-of-storage challenge for storage that is not connected: answering when it is back", "shard", c.Shard, "key", c.Key)
		return
	}
	answer, held, err := answerFromFile(path, c)
	if err != nil {
		a.emit(control.Event{Kind: control.EventError, Shard: c.Shard, Key: c.Key, Message: "Could not answer the hub's proof-of-storage challenge: " + err.Error()})
		return
	}
	cctx, cancel := context.WithTimeout(ctx, proofTimeout)
	passed, err := a.hub.Answer(cctx, uuid, token, c.ID, answer, !held)
	cancel()
	if err != nil {
		if ctx.Err() == nil {
			a.log.Warn("could not send a proof-of-storage answer", "key", c.Key, "err", err)
		}
		return
	}
	ev := control.Event{Kind: control.EventVerify, Shard: c.Shard, Key: c.Key, File: a.fileOf(c.Shard, annex.Key(c.Key))}
	switch {
	case passed:
		ev.Message = "Proved to the hub that this file is stored here"
	case !held:
		ev.Message = "The hub asked for proof of a file that is not stored here; told it so"
	default:
		ev.Kind = control.EventError
		ev.Message = "The hub's proof-of-storage check of this file failed: the copy here may be damaged"
	}
	a.emit(ev)
}

// objectPath is where the key's content lives in the shard's repository;
// online is false while the shard's storage is not connected. A shard
// this donor does not hold gives "" (not held).
func (a *Agent) objectPath(shard string, k annex.Key) (path string, online bool) {
	for _, sh := range a.shards() { // connected storage only
		if sh.Name == shard {
			return filepath.Join(sh.Path, filepath.FromSlash(annex.ObjectPath(k))), true
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, sh := range a.cfg.Shards {
		if sh.Name == shard {
			return "", false
		}
	}
	return "", true
}

// answerFromFile computes the answer from the object file. A missing or
// too short file is not held; the challenge's shape is checked first, as
// it comes from the network (a key naming a path, a huge range).
func answerFromFile(path string, c proof.Challenge) (answer string, held bool, err error) {
	if !annex.Key(c.Key).Valid() || c.Offset < 0 || c.Length <= 0 || c.Length > proof.MaxLength {
		return "", false, fmt.Errorf("the hub sent a malformed challenge for %q", c.Key)
	}
	if path == "" {
		return "", false, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	answer, err = proof.Answer(c, f)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "", false, nil // cut short: those bytes are not here
	}
	if err != nil {
		return "", false, err
	}
	return answer, true, nil
}
