package restore

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/shardkeeper/shardkeeper/annex"
)

// AreaDir is the restore area inside a data directory.
const AreaDir = "restore"

// Area is where the hub keeps restored files: per shard,
// <root>/<shard>/annex/objects/<hashdirlower><KEY>/<KEY> (the layout of a
// bare git-annex repository, so the hub can serve it as one), uploads of
// MD5-only keys waiting for a second donor under <shard>/uploads/, and
// partial uploads under <shard>/tmp/. Nothing is ever written elsewhere.
type Area struct{ Root string }

// AreaOf is the restore area of a data directory.
func AreaOf(dataDir string) Area { return Area{Root: filepath.Join(dataDir, AreaDir)} }

// ObjectRel is a key's object path relative to a bare repository (and to
// a shard's restore area): "annex/objects/f87/4d5/KEY/KEY".
func ObjectRel(k annex.Key) string {
	return "annex/objects/" + annex.HashDirLower(k) + string(k) + "/" + string(k)
}

// Object is where a verified key's bytes are kept.
func (a Area) Object(shard string, k annex.Key) string {
	return filepath.Join(a.Root, shard, filepath.FromSlash(ObjectRel(k)))
}

// Has reports whether the area holds a verified copy of k.
func (a Area) Has(shard string, k annex.Key) bool {
	st, err := os.Stat(a.Object(shard, k))
	size, ok := k.Size()
	return err == nil && st.Mode().IsRegular() && ok && st.Size() == size
}

// Held is where donor's bytes of an MD5-only key wait for a second donor.
func (a Area) Held(shard string, k annex.Key, donor string) string {
	return filepath.Join(a.Root, shard, "uploads", annex.EscapeKeyFile(k), donor)
}

// CheckName refuses a shard name or key that could leave the restore area
// or that the hub cannot verify; the message says which.
func CheckName(shard string, k annex.Key) error {
	if shard == "" || strings.ContainsAny(shard, "/\\\x00") || strings.Contains(shard, "..") || strings.HasPrefix(shard, ".") {
		return fmt.Errorf("%q is not a shard name", shard)
	}
	s := string(k)
	if !k.Valid() || strings.ContainsAny(s, "\\\x00") || strings.Contains(s, "..") || strings.HasPrefix(s, ".") {
		return fmt.Errorf("%q is not a git-annex key (no slashes, no '..')", s)
	}
	if _, ok := k.Size(); !ok {
		return fmt.Errorf("key %s records no size: the hub cannot restore it", s)
	}
	if newHash(k) == nil {
		return fmt.Errorf("key %s has backend %s, which the hub cannot verify (SHA256E, SHA256, MD5E, MD5)", s, k.Backend())
	}
	return nil
}

// MD5Only reports whether a key is checked by MD5, which a bad actor can
// forge a collision for.
func MD5Only(k annex.Key) bool { b := k.Backend(); return b == "MD5E" || b == "MD5" }

func newHash(k annex.Key) hash.Hash {
	switch k.Backend() {
	case "SHA256E", "SHA256":
		return sha256.New()
	case "MD5E", "MD5":
		return md5.New()
	}
	return nil
}

// Verdicts on bytes a donor sent.
var (
	// ErrTooLarge: more bytes than the key's size.
	ErrTooLarge = errors.New("more bytes than the key's size")
	// ErrTruncated: fewer bytes than the key's size.
	ErrTruncated = errors.New("fewer bytes than the key's size (truncated)")
	// ErrMismatch: the bytes do not hash to the key.
	ErrMismatch = errors.New("the bytes do not match the key's checksum")
)

// Received is an upload on disk in the area's tmp directory, checked
// against its key.
type Received struct {
	Temp   string // remove or Keep it
	SHA256 string
	Bytes  int64
}

// Receive streams body into a temporary file of the shard's restore area,
// never storing more than the key's size, and checks it against the key:
// ErrTooLarge, ErrTruncated and ErrMismatch say why bytes are refused (the
// temporary file is then gone).
func (a Area) Receive(shard string, k annex.Key, body io.Reader) (Received, error) {
	if err := CheckName(shard, k); err != nil {
		return Received{}, err
	}
	size, _ := k.Size()
	dir := filepath.Join(a.Root, shard, "tmp")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Received{}, fmt.Errorf("prepare the restore area: %w", err)
	}
	f, err := os.CreateTemp(dir, "upload-*")
	if err != nil {
		return Received{}, fmt.Errorf("prepare the restore area: %w", err)
	}
	keep := false
	defer func() {
		if !keep {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	sum, check := sha256.New(), newHash(k)
	w := io.MultiWriter(f, sum, check)
	if !MD5Only(k) {
		check, w = sum, io.MultiWriter(f, sum) // one SHA-256 serves both
	}
	n, err := io.Copy(w, io.LimitReader(body, size))
	if err != nil {
		return Received{}, fmt.Errorf("receive the upload: %w", err)
	}
	var one [1]byte
	if extra, _ := io.ReadFull(body, one[:]); extra > 0 {
		return Received{Bytes: n + 1}, ErrTooLarge
	}
	if n < size {
		return Received{Bytes: n}, ErrTruncated
	}
	if hex.EncodeToString(check.Sum(nil)) != strings.ToLower(k.Digest()) {
		return Received{Bytes: n}, ErrMismatch
	}
	if err := f.Sync(); err != nil {
		return Received{}, fmt.Errorf("write the upload: %w", err)
	}
	if err := f.Close(); err != nil {
		return Received{}, fmt.Errorf("write the upload: %w", err)
	}
	keep = true
	return Received{Temp: f.Name(), SHA256: hex.EncodeToString(sum.Sum(nil)), Bytes: n}, nil
}

// Discard removes a received upload that is not kept.
func (r Received) Discard() { os.Remove(r.Temp) }

// Keep moves verified bytes to the key's object path (fsync, rename).
func (a Area) Keep(shard string, k annex.Key, r Received) error {
	return moveInto(r.Temp, a.Object(shard, k))
}

// Hold keeps an MD5-only key's bytes from one donor until another donor's
// agree; it returns the paths of the other donors' held bytes.
func (a Area) Hold(shard string, k annex.Key, donor string, r Received) ([]string, error) {
	dest := a.Held(shard, k, donor)
	if err := moveInto(r.Temp, dest); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(filepath.Dir(dest))
	if err != nil {
		return nil, fmt.Errorf("read held uploads: %w", err)
	}
	var others []string
	for _, e := range entries {
		if e.Name() != donor && e.Type().IsRegular() {
			others = append(others, filepath.Join(filepath.Dir(dest), e.Name()))
		}
	}
	return others, nil
}

// Promote makes donor's held bytes of k the verified copy and forgets the
// other held uploads of k.
func (a Area) Promote(shard string, k annex.Key, donor string) error {
	held := a.Held(shard, k, donor)
	if err := moveInto(held, a.Object(shard, k)); err != nil {
		return err
	}
	return os.RemoveAll(filepath.Dir(held))
}

// SameBytes reports whether two files hold the same bytes.
func SameBytes(a, b string) (bool, error) {
	fa, err := os.Open(a)
	if err != nil {
		return false, err
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		return false, err
	}
	defer fb.Close()
	ba, bb := make([]byte, 64<<10), make([]byte, 64<<10)
	for {
		na, ea := io.ReadFull(fa, ba)
		nb, eb := io.ReadFull(fb, bb)
		if na != nb || !bytes.Equal(ba[:na], bb[:nb]) {
			return false, nil
		}
		if ea != nil || eb != nil {
			return errors.Is(ea, io.ErrUnexpectedEOF) || errors.Is(ea, io.EOF), nil
		}
	}
}

// moveInto renames src to dest (same file system) after syncing it, and
// syncs dest's directory so the rename survives a crash.
func moveInto(src, dest string) error {
	if f, err := os.Open(src); err == nil {
		f.Sync()
		f.Close()
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return fmt.Errorf("prepare the restore area: %w", err)
	}
	if err := os.Rename(src, dest); err != nil {
		return fmt.Errorf("keep the restored file: %w", err)
	}
	if d, err := os.Open(filepath.Dir(dest)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
