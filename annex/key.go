// Package annex holds what both sides of Shardkeeper need to know about
// git-annex's on-disk formats: keys, hash directories, the log files of the
// git-annex branch, and a fast reader for that branch. It never runs
// git-annex itself; it writes and reads what git-annex would.
package annex

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"unicode"
)

// Key is a git-annex key such as "SHA256E-s1000--<64 hex>.bin".
type Key string

// Backends Shardkeeper creates keys for.
const (
	BackendSHA256E = "SHA256E"
	BackendMD5E    = "MD5E"
)

// maxExtensionLen is git-annex's default annex.maxextensionlength.
const maxExtensionLen = 4

// NewKey builds an E-backend key for content of the given size and hex
// digest, keeping the extension of filename the way git-annex would.
func NewKey(backend string, size int64, hexDigest, filename string) Key {
	return Key(fmt.Sprintf("%s-s%d--%s%s", backend, size, strings.ToLower(hexDigest), Extension(filename)))
}

// Extension returns the extension an E backend appends for filename:
// at most two trailing dot-separated parts of 1-4 alphanumeric characters
// (non-ASCII allowed), as git-annex's selectExtension does.
func Extension(filename string) string {
	base := path.Base(strings.ReplaceAll(filename, "\\", "/"))
	parts := strings.Split(base, ".")
	if len(parts) < 2 {
		return ""
	}
	var exts []string
	// Walk from the end; stop at the first part that is too long, never
	// count the base name itself.
	for i := len(parts) - 1; i >= 1 && len(exts) < 2; i-- {
		p := parts[i]
		if len(p) == 0 || len(p) > maxExtensionLen || !validExtension(p) {
			break
		}
		exts = append([]string{p}, exts...)
	}
	if len(exts) == 0 {
		return ""
	}
	return "." + strings.Join(exts, ".")
}

func validExtension(s string) bool {
	for _, r := range s {
		if r < 128 && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// Backend returns the key's backend name ("SHA256E").
func (k Key) Backend() string {
	b, _, _ := strings.Cut(string(k), "-")
	return b
}

// Size returns the size recorded in the key, and false when the key has none.
func (k Key) Size() (int64, bool) {
	fields, _, ok := strings.Cut(string(k), "--")
	if !ok {
		return 0, false
	}
	_, fields, _ = strings.Cut(fields, "-") // past the backend; no allocation (the planner reads every key's size)
	for fields != "" {
		var f string
		f, fields, _ = strings.Cut(fields, "-")
		if strings.HasPrefix(f, "s") {
			n, err := strconv.ParseInt(f[1:], 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// Digest returns the hex digest of a hashing backend's key (the name part
// without the extension).
func (k Key) Digest() string {
	_, name, _ := strings.Cut(string(k), "--")
	if i := strings.IndexByte(name, '.'); i >= 0 {
		name = name[:i]
	}
	return name
}

// Valid reports whether k looks like a key Shardkeeper can handle.
func (k Key) Valid() bool {
	s := string(k)
	fields, name, ok := strings.Cut(s, "--")
	return ok && fields != "" && name != "" && !strings.ContainsAny(s, " \t\n/")
}
