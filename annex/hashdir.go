package annex

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"strings"
)

// HashDirLower is the directory a key's files live in on the git-annex
// branch and in bare repositories: "f87/4d5/".
func HashDirLower(k Key) string {
	h := md5hex(k)
	return h[0:3] + "/" + h[3:6] + "/"
}

const mixedAlphabet = "0123456789zqjxkmvwgpfZQJXKMVWGPF"

// HashDirMixed is the directory a key's object lives in under a non-bare
// repository's .git/annex/objects: "pX/ZJ/". The 6-bit shift with a 5-bit
// mask is git-annex's own quirk and must be kept.
func HashDirMixed(k Key) string {
	sum := md5.Sum([]byte(stripChunk(k)))
	w := binary.LittleEndian.Uint32(sum[:4])
	c := func(i uint) byte { return mixedAlphabet[(w>>(6*i))&31] }
	return string([]byte{c(1), c(0), '/', c(3), c(2), '/'})
}

func md5hex(k Key) string {
	sum := md5.Sum([]byte(stripChunk(k)))
	return hex.EncodeToString(sum[:])
}

// stripChunk removes -S and -C fields: chunks hash like their parent key.
func stripChunk(k Key) string {
	fields, name, ok := strings.Cut(string(k), "--")
	if !ok {
		return string(k)
	}
	parts := strings.Split(fields, "-")
	kept := parts[:1]
	for _, p := range parts[1:] {
		if strings.HasPrefix(p, "S") || strings.HasPrefix(p, "C") {
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, "-") + "--" + name
}

// ObjectPath is the path of a key's content relative to a non-bare
// repository's top: ".git/annex/objects/pX/ZJ/KEY/KEY".
func ObjectPath(k Key) string {
	return ".git/annex/objects/" + HashDirMixed(k) + string(k) + "/" + string(k)
}

// SymlinkTarget is what the work-tree symlink for a file at filePath
// (slash-separated, relative to the repository top) points to.
func SymlinkTarget(filePath string, k Key) string {
	return strings.Repeat("../", strings.Count(filePath, "/")) + ObjectPath(k)
}

// LocationLogPath is the location log of k on the git-annex branch.
func LocationLogPath(k Key) string {
	return HashDirLower(k) + EscapeKeyFile(k) + ".log"
}

// URLLogPath is the web URL log of k on the git-annex branch.
func URLLogPath(k Key) string {
	return HashDirLower(k) + EscapeKeyFile(k) + ".log.web"
}

var keyFileEscaper = strings.NewReplacer("&", "&a", "%", "&s", ":", "&c", "/", "%")
var keyFileUnescaper = strings.NewReplacer("&a", "&", "&s", "%", "&c", ":", "%", "/")

// EscapeKeyFile turns a key into the file name git-annex uses for it.
func EscapeKeyFile(k Key) string { return keyFileEscaper.Replace(string(k)) }

// UnescapeKeyFile is the inverse of EscapeKeyFile.
func UnescapeKeyFile(name string) Key { return Key(keyFileUnescaper.Replace(name)) }

// KeyOfLogPath returns the key whose log lives at p with the given suffix
// (".log", ".log.web"), and false for any other path.
func KeyOfLogPath(p, suffix string) (Key, bool) {
	// Location logs sit exactly two directories deep: "abc/def/KEY.log".
	if strings.Count(p, "/") != 2 || !strings.HasSuffix(p, suffix) {
		return "", false
	}
	name := p[strings.LastIndexByte(p, '/')+1 : len(p)-len(suffix)]
	if name == "" {
		return "", false
	}
	k := UnescapeKeyFile(name)
	return k, HashDirLower(k) == p[:8]
}
