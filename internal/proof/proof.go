// Package proof is Shardkeeper's proof of storage: the hub asks a donor for
// a hash over a random byte range of a file it claims to hold, salted with a
// fresh nonce, and checks the answer against a copy it trusts (the archive's
// origin, read with an HTTP range request). The nonce makes answers
// impossible to precompute; the random range makes holding anything less
// than the whole file a gamble. See docs/proof-of-storage.md.
package proof

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"
)

// Challenge asks for proof that a donor holds Key.
type Challenge struct {
	ID      string    `json:"id"`
	Shard   string    `json:"shard"`
	Key     string    `json:"key"`
	Offset  int64     `json:"offset"`
	Length  int64     `json:"length"`
	Nonce   string    `json:"nonce"` // hex
	Expires time.Time `json:"expires"`
}

// MaxLength bounds a challenged range, so answering stays cheap for the
// donor and checking stays cheap for the origin.
const MaxLength = 64 << 10

// New makes a challenge for a key of the given size, with a random range
// and nonce drawn from rand (crypto/rand.Reader in production).
func New(rnd io.Reader, id, shard, key string, size int64, expires time.Time) (Challenge, error) {
	if size <= 0 {
		return Challenge{}, errors.New("cannot challenge an empty file")
	}
	length := min(int64(MaxLength), size)
	offset := int64(0)
	if size > length {
		n, err := rand.Int(rnd, big.NewInt(size-length+1))
		if err != nil {
			return Challenge{}, fmt.Errorf("draw a range: %w", err)
		}
		offset = n.Int64()
	}
	nonce := make([]byte, 32)
	if _, err := io.ReadFull(rnd, nonce); err != nil {
		return Challenge{}, fmt.Errorf("draw a nonce: %w", err)
	}
	return Challenge{ID: id, Shard: shard, Key: key, Offset: offset, Length: length,
		Nonce: hex.EncodeToString(nonce), Expires: expires}, nil
}

// Answer computes hex(SHA-256(nonce bytes || content[offset:offset+length])).
// The donor runs it over its own object file; the hub over the origin's
// bytes of the same range.
func Answer(c Challenge, content io.ReaderAt) (string, error) {
	nonce, err := hex.DecodeString(c.Nonce)
	if err != nil {
		return "", fmt.Errorf("challenge %s has a bad nonce", c.ID)
	}
	buf := make([]byte, c.Length)
	if _, err := content.ReadAt(buf, c.Offset); err != nil && !(errors.Is(err, io.EOF) && c.Length == 0) {
		return "", fmt.Errorf("read bytes %d-%d of %s: %w", c.Offset, c.Offset+c.Length-1, c.Key, err)
	}
	return AnswerBytes(nonce, buf), nil
}

// AnswerBytes hashes the nonce and the challenged bytes.
func AnswerBytes(nonce, data []byte) string {
	h := sha256.New()
	h.Write(nonce)
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// Check compares a donor's answer with the expected one in constant time.
func Check(expected, answer string) bool {
	return subtle.ConstantTimeCompare([]byte(expected), []byte(answer)) == 1
}
