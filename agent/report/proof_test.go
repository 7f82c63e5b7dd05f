package report

import (
	"path/filepath"
	"testing"

	"github.com/shardkeeper/shardkeeper/internal/proof"
)

func TestAnswerFromFileRefusesMalformedChallenges(t *testing.T) {
	for _, key := range []string{"../../etc/passwd", ""} {
		if _, _, err := AnswerFromFile("x", proofChallenge(key, 0, 10)); err == nil {
			t.Errorf("key %q answered", key)
		}
	}
	if _, _, err := AnswerFromFile("x", proofChallenge("SHA256E-s1--ab", 0, 1<<30)); err == nil {
		t.Error("a huge range answered")
	}
	if _, held, err := AnswerFromFile(filepath.Join(t.TempDir(), "absent"), proofChallenge("SHA256E-s1--ab", 0, 1)); held || err != nil {
		t.Errorf("an absent object: held %v, %v", held, err)
	}
}

func proofChallenge(key string, off, n int64) proof.Challenge {
	return proof.Challenge{ID: "c", Shard: "s", Key: key, Offset: off, Length: n, Nonce: "00"}
}
