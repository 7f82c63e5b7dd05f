package shard

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
)

const committer = "shardhub <shardhub@shardkeeper.invalid>"

// fastImport writes both branches of a shard in one git fast-import run.
func fastImport(ctx context.Context, g annex.Git, name string, c collection, now time.Time) error {
	cmd := g.Command(ctx, "fast-import", "--quiet", "--done")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start git fast-import: %w", err)
	}
	w := bufio.NewWriterSize(stdin, 1<<20)
	werr := writeStream(w, name, c, now)
	if werr == nil {
		werr = w.Flush()
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		// git's own message says more than the broken pipe we saw.
		return annex.CommandError("git", []string{"fast-import"}, err, stderr.Bytes())
	}
	return werr
}

// writeStream writes the fast-import stream: a main branch with one annexed
// symlink per path, and a git-annex branch with each key's location log
// (present on the web) and URL log.
func writeStream(w *bufio.Writer, name string, c collection, now time.Time) error {
	ts := annex.TimestampOf(now).String()

	writeCommit(w, "refs/heads/main", now, fmt.Sprintf("shardhub: %s, %d paths", name, len(c.paths)))
	for _, p := range c.paths {
		writeFile(w, "120000", p.path, []byte(annex.SymlinkTarget(p.path, p.key)))
	}

	writeCommit(w, annex.BranchRef, now, fmt.Sprintf("shardhub: %s, %d keys on the web", name, len(c.keys)))
	var log bytes.Buffer
	for _, k := range c.keys {
		writeFile(w, "100644", annex.LocationLogPath(k.key), []byte(ts+" 1 "+annex.WebUUID+"\n"))
		log.Reset()
		for _, u := range k.urls {
			log.WriteString(ts + " 1 " + u + "\n")
		}
		writeFile(w, "100644", annex.URLLogPath(k.key), log.Bytes())
	}
	_, err := w.WriteString("done\n")
	return err // bufio.Writer keeps the first write error
}

func writeCommit(w *bufio.Writer, ref string, now time.Time, msg string) {
	fmt.Fprintf(w, "commit %s\ncommitter %s %d +0000\n", ref, committer, now.Unix())
	writeData(w, []byte(msg+"\n"))
}

func writeFile(w *bufio.Writer, mode, path string, data []byte) {
	fmt.Fprintf(w, "M %s inline %s\n", mode, quotePath(path))
	writeData(w, data)
}

func writeData(w io.Writer, data []byte) {
	fmt.Fprintf(w, "data %d\n%s\n", len(data), data)
}

// quotePath C-quotes a path the way fast-import reads it. Quoting always is
// simpler than deciding when it is needed (a path with '"', '\\', a newline,
// or a leading quote must be quoted); bytes of 0x80 and above pass through,
// so UTF-8 names stay as they are.
func quotePath(p string) string {
	b := make([]byte, 0, len(p)+2)
	b = append(b, '"')
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20 || c == 0x7f:
			b = append(b, '\\', '0'+(c>>6), '0'+((c>>3)&7), '0'+(c&7))
		default:
			b = append(b, c)
		}
	}
	return string(append(b, '"'))
}
