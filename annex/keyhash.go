package annex

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"strings"
)

// keyHashes are git-annex's hashing backends Shardkeeper can check
// itself, by name without the "E" (which only keeps the extension).
var keyHashes = map[string]func() hash.Hash{
	"SHA256": sha256.New, "SHA512": sha512.New, "SHA384": sha512.New384, "SHA224": sha256.New224,
	"SHA1": sha1.New, "MD5": md5.New,
}

// NewHash is a new hash of the key's backend, whose sum in hex is the
// key's Digest; nil for a backend that is not a plain hash (URL, WORM,
// SHA3, BLAKE2: git-annex checks those).
func (k Key) NewHash() hash.Hash {
	if h := keyHashes[strings.TrimSuffix(k.Backend(), "E")]; h != nil {
		return h()
	}
	return nil
}
