package annex

import (
	"fmt"
	"testing"
)

// TestKeyHashMatchesItsDigest: a key's own hash of its content gives its
// digest, with or without the extension; other backends have none.
func TestKeyHashMatchesItsDigest(t *testing.T) {
	data := []byte("hello\n")
	for _, backend := range []string{"SHA256E", "SHA256", "SHA512", "SHA1", "MD5E", "MD5", "SHA384", "SHA224"} {
		h := Key(backend + "-s6--00").NewHash()
		if h == nil {
			t.Fatalf("%s: no hash", backend)
		}
		h.Write(data)
		k := Key(fmt.Sprintf("%s-s6--%x.txt", backend, h.Sum(nil)))
		h2 := k.NewHash()
		h2.Write(data)
		if fmt.Sprintf("%x", h2.Sum(nil)) != k.Digest() {
			t.Errorf("%s: sum %x, digest %s", k, h2.Sum(nil), k.Digest())
		}
	}
	for _, k := range []Key{"URL--http://x/y", "WORM-s6-m1--name", "BLAKE2B256-s6--00"} {
		if k.NewHash() != nil {
			t.Errorf("%s has a hash", k)
		}
	}
}
