// Command benchclone clones a repository in-process with go-git, as the
// first-run wizard could (with real progress), and prints how long it took
// and the last progress line. scripts/bench-clone.sh compares it with
// `git clone`.
//
//	benchclone [-no-checkout] URL DIR
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	gogit "github.com/go-git/go-git/v5"
)

// lastLine keeps the last progress line the server sent.
type lastLine struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	lines int
}

func (l *lastLine) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines += bytes.Count(p, []byte("\r")) + bytes.Count(p, []byte("\n"))
	l.buf.Write(p)
	if l.buf.Len() > 4096 {
		tail := append([]byte(nil), l.buf.Bytes()[l.buf.Len()-512:]...)
		l.buf.Reset()
		l.buf.Write(tail)
	}
	return len(p), nil
}

func (l *lastLine) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := strings.FieldsFunc(l.buf.String(), func(r rune) bool { return r == '\r' || r == '\n' })
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}

func main() {
	noCheckout := flag.Bool("no-checkout", false, "do not check out the work tree")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: benchclone [-no-checkout] URL DIR")
		os.Exit(2)
	}
	var progress lastLine
	start := time.Now()
	_, err := gogit.PlainClone(flag.Arg(1), false, &gogit.CloneOptions{
		URL: flag.Arg(0), NoCheckout: *noCheckout, Progress: &progress, Tags: gogit.NoTags,
	})
	took := time.Since(start)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchclone:", err)
		os.Exit(1)
	}
	fmt.Printf("%.2f s, %d progress updates, last: %s\n", took.Seconds(), progress.lines, progress.String())
}
