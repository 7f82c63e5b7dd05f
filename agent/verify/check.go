package verify

// The agent checks each object itself: it reads the file git-annex keeps
// for a key and compares its size and checksum with the key (Go's SHA-256
// uses the CPU's SHA instructions; git-annex's own hashing is about half
// as fast). Only what it finds bad or missing, and keys of a backend it
// does not hash, go to git-annex's fsck, one key at a time, which moves a
// bad object to .git/annex/bad and records the key missing here.

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/shardkeeper/shardkeeper/agent/annexproc"
	"github.com/shardkeeper/shardkeeper/annex"
)

// verdict is what reading one object found.
type verdict int

const (
	good      verdict = iota
	bad               // wrong size or checksum
	missing           // no object file
	unchecked         // a backend the agent does not hash, or a read error: git-annex decides
)

// openObject opens k's object in the repository at dir: git-annex keeps it
// under hashdirmixed in a non-bare repository, or under hashdirlower (a
// repository on a filesystem without symlinks, like a bare one); it looks
// in that order too.
func openObject(dir string, k annex.Key) (*os.File, error) {
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(annex.ObjectPath(k))))
	if errors.Is(err, fs.ErrNotExist) {
		if g, lerr := os.Open(filepath.Join(dir, filepath.FromSlash(lowerObjectPath(k)))); lerr == nil {
			return g, nil
		}
	}
	return f, err
}

// objectThere says whether k's object is in the repository at dir.
func objectThere(dir string, k annex.Key) bool {
	for _, p := range []string{annex.ObjectPath(k), lowerObjectPath(k)} {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p))); err == nil {
			return true
		}
	}
	return false
}

// lowerObjectPath is k's object under hashdirlower.
func lowerObjectPath(k annex.Key) string {
	return ".git/annex/objects/" + annex.HashDirLower(k) + string(k) + "/" + string(k)
}

// reader is one run's reading: its stops, its I/O limit and its buffer.
type reader struct {
	v          *Verifier
	soft, hard context.Context
	lim        *Limiter
	buf        []byte
}

// check reads k's object in the repository at dir through the limiter and
// compares it with the key. Its only error is a hard stop.
func (r *reader) check(dir string, k annex.Key) (verdict, error) {
	h := k.NewHash()
	size, sized := k.Size()
	if h == nil || !sized {
		return unchecked, nil
	}
	f, err := openObject(dir, k)
	if errors.Is(err, fs.ErrNotExist) {
		return missing, nil
	} else if err != nil {
		return unchecked, nil
	}
	defer f.Close()
	n, vd, err := r.hash(f, h, size)
	if err != nil || vd != good {
		return vd, err
	}
	if n != size || !strings.EqualFold(hex.EncodeToString(h.Sum(nil)), k.Digest()) {
		return bad, nil
	}
	return good, nil
}

// hash reads f into h, at most size+1 bytes, keeping to the limit. A pause
// lifts the limit for the rest of the file: it finishes, then the run stops.
func (r *reader) hash(f io.Reader, h hash.Hash, size int64) (int64, verdict, error) {
	limited := true
	var n int64
	for {
		if err := r.hard.Err(); err != nil {
			return n, unchecked, err
		}
		chunk := r.buf
		if limited {
			chunk = r.buf[:r.lim.Chunk()]
		}
		m, rerr := f.Read(chunk)
		if m > 0 {
			h.Write(chunk[:m])
			if n += int64(m); n > size {
				return n, bad, nil
			}
			if limited {
				var err error
				if limited, err = r.v.wait(r.soft, r.hard, r.lim.Take(int64(m))); err != nil {
					return n, unchecked, err
				}
			}
		}
		if rerr == io.EOF {
			return n, good, nil
		} else if rerr != nil {
			return n, unchecked, nil // an I/O error: git-annex's fsck says what it is
		}
	}
}

// fsckKey hands one key to git-annex's fsck. found is false when git-annex
// does not hold it here (dropped since the run listed it). An object that
// is not there is checked without --in=here, which matches only content
// that is: fsck then fails it when the location log says it is here (and
// records it missing), and passes it otherwise (a drop since the listing),
// which is not a key verified here.
func fsckKey(ctx context.Context, repo *annexproc.Repo, k annex.Key, vd verdict) (res annexproc.ResultLine, found bool, err error) {
	args := []string{"--key", string(k), "--numcopies=1", "--json", "--json-error-messages"}
	if vd != missing {
		args = append(args, "--in=here")
	}
	out, err := repo.Annex(ctx, nil, "fsck", args...)
	for _, line := range strings.Split(string(out), "\n") {
		var r annexproc.ResultLine
		if json.Unmarshal([]byte(line), &r) == nil && r.Key == string(k) {
			// exit 1 is fsck saying the file was bad
			return r, vd != missing || !r.Success, nil
		}
	}
	return res, false, err
}
