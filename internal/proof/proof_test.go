package proof

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"
)

func TestAnswerMatchesOnlyTheRightBytes(t *testing.T) {
	content := make([]byte, 300<<10)
	rand.Read(content)
	c, err := New(rand.Reader, "c1", "shard-0001", "SHA256E-s1--x", int64(len(content)), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if c.Length != MaxLength || c.Offset < 0 || c.Offset+c.Length > int64(len(content)) {
		t.Fatalf("range %d+%d outside a %d-byte file", c.Offset, c.Length, len(content))
	}
	good, err := Answer(c, bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	nonce := mustHex(t, c.Nonce)
	if want := AnswerBytes(nonce, content[c.Offset:c.Offset+c.Length]); !Check(want, good) {
		t.Fatal("answer differs from the hub's own computation")
	}
	corrupt := append([]byte{}, content...)
	corrupt[c.Offset+c.Length/2] ^= 1
	bad, _ := Answer(c, bytes.NewReader(corrupt))
	if Check(good, bad) {
		t.Error("a corrupted copy passed")
	}
	if _, err := Answer(c, bytes.NewReader(content[:c.Offset])); err == nil {
		t.Error("a truncated copy answered")
	}
	c2, _ := New(rand.Reader, "c2", "s", "k", int64(len(content)), time.Now())
	if c2.Nonce == c.Nonce {
		t.Error("nonces repeat")
	}
}

func TestSmallFileIsChallengedWhole(t *testing.T) {
	c, err := New(rand.Reader, "c", "s", "k", 10, time.Now())
	if err != nil || c.Offset != 0 || c.Length != 10 {
		t.Fatalf("%+v %v", c, err)
	}
	if _, err := New(rand.Reader, "c", "s", "k", 0, time.Now()); err == nil {
		t.Error("empty file challenged")
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
