package restore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Backend does the work behind the external special remote protocol.
type Backend interface {
	// Prepare readies the backend for the repository (its git directory)
	// and the special remote's UUID.
	Prepare(ctx context.Context, gitDir, remoteUUID string) error
	// Store uploads a key's content from file, telling progress in bytes
	// sent; info is a line for the person running git-annex.
	Store(ctx context.Context, key, file string, progress func(int64)) (info string, err error)
	// CheckPresent says whether the remote holds a verified copy.
	CheckPresent(ctx context.Context, key string) (bool, error)
}

// ErrRetrieveUnsupported: the restore area is upload-only for donors.
var ErrRetrieveUnsupported = errors.New("the archive's restore area only takes uploads; get the file from the web instead")

// conn is one session with git-annex over stdin/stdout.
type conn struct {
	in       *bufio.Reader
	out      io.Writer
	info     bool // git-annex offered the INFO extension
	lastProg time.Time
}

// Serve speaks git-annex's external special remote protocol (VERSION 1,
// as git-annex 10.20230126 documents it in
// doc/design/external_special_remote_protocol.mdwn) on r and w until
// git-annex closes r.
func Serve(ctx context.Context, r io.Reader, w io.Writer, b Backend) error {
	c := &conn{in: bufio.NewReaderSize(r, 64<<10), out: w}
	if err := c.send("VERSION 1"); err != nil {
		return err
	}
	for {
		line, err := c.readLine()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := c.handle(ctx, b, line); err != nil {
			return err
		}
	}
}

func (c *conn) send(format string, args ...any) error {
	line := fmt.Sprintf(format, args...)
	// A message is one line: a newline inside would start another.
	line = strings.NewReplacer("\r", " ", "\n", " ").Replace(line)
	_, err := io.WriteString(c.out, line+"\n")
	return err
}

func (c *conn) readLine() (string, error) {
	line, err := c.in.ReadString('\n')
	if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// ask sends a request to git-annex and returns the value of its VALUE
// reply.
func (c *conn) ask(req string) (string, error) {
	if err := c.send("%s", req); err != nil {
		return "", err
	}
	line, err := c.readLine()
	if err != nil {
		return "", fmt.Errorf("git-annex did not answer %s: %w", req, err)
	}
	v, ok := strings.CutPrefix(line, "VALUE")
	if !ok {
		return "", fmt.Errorf("git-annex answered %s with %q", req, line)
	}
	return strings.TrimPrefix(v, " "), nil
}

// handle answers one request of git-annex.
func (c *conn) handle(ctx context.Context, b Backend, line string) error {
	cmd, rest, _ := strings.Cut(line, " ")
	switch cmd {
	case "EXTENSIONS":
		c.info = hasWord(rest, "INFO")
		if c.info {
			return c.send("EXTENSIONS INFO")
		}
		return c.send("EXTENSIONS")
	case "INITREMOTE":
		return c.send("INITREMOTE-SUCCESS")
	case "PREPARE":
		return c.prepare(ctx, b)
	case "GETCOST":
		return c.send("COST 1000") // last resort: never a source for downloads
	case "GETAVAILABILITY":
		return c.send("AVAILABILITY GLOBAL")
	case "TRANSFER":
		return c.transfer(ctx, b, rest)
	case "CHECKPRESENT":
		return c.checkPresent(ctx, b, rest)
	case "REMOVE":
		return c.send("REMOVE-FAILURE %s only the archive removes files from its restore area", rest)
	case "WHEREIS":
		return c.send("WHEREIS-FAILURE")
	case "ERROR":
		return fmt.Errorf("git-annex said: %s", rest)
	}
	return c.send("UNSUPPORTED-REQUEST")
}

func (c *conn) prepare(ctx context.Context, b Backend) error {
	gitDir, err := c.ask("GETGITDIR")
	if err != nil {
		return err
	}
	uuid, err := c.ask("GETUUID")
	if err != nil {
		return err
	}
	if err := b.Prepare(ctx, gitDir, uuid); err != nil {
		return c.send("PREPARE-FAILURE %s", err)
	}
	return c.send("PREPARE-SUCCESS")
}

// transfer: "STORE|RETRIEVE Key File" (the file name may hold spaces).
func (c *conn) transfer(ctx context.Context, b Backend, rest string) error {
	dir, rest, _ := strings.Cut(rest, " ")
	key, file, _ := strings.Cut(rest, " ")
	if dir != "STORE" {
		return c.send("TRANSFER-FAILURE %s %s %s", dir, key, ErrRetrieveUnsupported)
	}
	info, err := b.Store(ctx, key, file, c.progress)
	if err != nil {
		return c.send("TRANSFER-FAILURE STORE %s %s", key, err)
	}
	if info != "" && c.info {
		if err := c.send("INFO %s", info); err != nil {
			return err
		}
	}
	return c.send("TRANSFER-SUCCESS STORE %s", key)
}

// progress tells git-annex how far an upload got, at most 5 times a
// second (it also uses this for stall detection).
func (c *conn) progress(n int64) {
	if now := time.Now(); now.Sub(c.lastProg) >= 200*time.Millisecond {
		c.lastProg = now
		c.send("PROGRESS %d", n)
	}
}

func (c *conn) checkPresent(ctx context.Context, b Backend, key string) error {
	ok, err := b.CheckPresent(ctx, key)
	switch {
	case err != nil:
		return c.send("CHECKPRESENT-UNKNOWN %s %s", key, err)
	case ok:
		return c.send("CHECKPRESENT-SUCCESS %s", key)
	}
	return c.send("CHECKPRESENT-FAILURE %s", key)
}

func hasWord(list, w string) bool {
	for _, f := range strings.Fields(list) {
		if f == w {
			return true
		}
	}
	return false
}
