package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/hubclient"
	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/internal/proof"
)

// proofTimeout bounds one exchange with the hub about challenges.
const proofTimeout = 30 * time.Second

// AnswerChallenges answers the hub's open proof-of-storage challenges
// (docs/proof-of-storage.md) from the object files on this machine, never
// from the network. It runs once per cycle; a hub without proofs of
// storage (404) is skipped silently, and a failure waits for the next
// cycle.
func (r *Reporter) AnswerChallenges(ctx context.Context) {
	_, uuid, token := r.d.Donor()
	cctx, cancel := context.WithTimeout(ctx, proofTimeout)
	open, err := r.d.Hub.Challenges(cctx, uuid, token)
	cancel()
	if errors.Is(err, hubclient.ErrNotSupported) || ctx.Err() != nil {
		return
	}
	if err != nil {
		r.d.Log.Warn("could not ask the hub for proof-of-storage challenges", "err", err)
		return
	}
	for _, c := range open {
		r.answerChallenge(ctx, uuid, token, c)
	}
}

// answerChallenge answers one challenge: with the hash of the bytes when
// the object is here, "not held" when it is not (an honest failure), and
// not at all while the object's storage is not connected or unreadable
// (the challenge may expire, which also fails).
func (r *Reporter) answerChallenge(ctx context.Context, uuid, token string, c proof.Challenge) {
	path, online := r.d.Path(c.Shard, annex.Key(c.Key))
	if !online {
		r.d.Log.Info("proof-of-storage challenge for storage that is not connected: answering when it is back", "shard", c.Shard, "key", c.Key)
		return
	}
	answer, held, err := AnswerFromFile(path, c)
	if err != nil {
		r.d.Emit(control.Event{Kind: control.EventError, Shard: c.Shard, Key: c.Key, Message: "Could not answer the hub's proof-of-storage challenge: " + err.Error()})
		return
	}
	cctx, cancel := context.WithTimeout(ctx, proofTimeout)
	passed, err := r.d.Hub.Answer(cctx, uuid, token, c.ID, answer, !held)
	cancel()
	if err != nil {
		if ctx.Err() == nil {
			r.d.Log.Warn("could not send a proof-of-storage answer", "key", c.Key, "err", err)
		}
		return
	}
	ev := control.Event{Kind: control.EventVerify, Shard: c.Shard, Key: c.Key, File: r.d.FileOf(c.Shard, annex.Key(c.Key))}
	switch {
	case passed:
		ev.Message = "Proved to the hub that this file is stored here"
	case !held:
		ev.Message = "The hub asked for proof of a file that is not stored here; told it so"
	default:
		ev.Kind = control.EventError
		ev.Message = "The hub's proof-of-storage check of this file failed: the copy here may be damaged"
	}
	r.d.Emit(ev)
}

// AnswerFromFile computes the answer from the object file. A missing or
// too short file is not held; the challenge's shape is checked first, as
// it comes from the network (a key naming a path, a huge range).
func AnswerFromFile(path string, c proof.Challenge) (answer string, held bool, err error) {
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
