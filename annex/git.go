package annex

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/shardkeeper/shardkeeper/internal/childproc"
	"github.com/shardkeeper/shardkeeper/internal/gitenv"
)

// Git runs the git binary in one repository. Bin is injectable so tests and
// packagers can point at a particular git.
type Git struct {
	Bin string   // "git" when empty
	Dir string   // repository (work tree or bare)
	Env []string // extra environment, appended to the process's own
	// Config is git config ("key=value") forced above the defaults of
	// gitenv, which keep the user's git configuration out.
	Config []string
}

// Command prepares a git command; the caller wires stdin/stdout.
func (g Git) Command(ctx context.Context, args ...string) *exec.Cmd {
	bin := g.Bin
	if bin == "" {
		bin = "git"
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = g.Dir
	cmd.Env = gitenv.Environ(cmd.Environ(), g.Env, g.Config...)
	childproc.DieWithParent(cmd)
	return cmd
}

// Output runs git and returns its stdout; a failure carries git's stderr.
func (g Git) Output(ctx context.Context, stdin io.Reader, args ...string) ([]byte, error) {
	cmd := g.Command(ctx, args...)
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), CommandError(filepath.Base(cmd.Path), args, err, stderr.Bytes())
	}
	return stdout.Bytes(), nil
}

// CommandError wraps a failed command with the first lines of its stderr,
// which is where git and git-annex say what went wrong.
func CommandError(name string, args []string, err error, stderr []byte) error {
	msg := strings.TrimSpace(string(stderr))
	if lines := strings.Split(msg, "\n"); len(lines) > 6 {
		msg = strings.Join(lines[len(lines)-6:], "\n")
	}
	verb := name
	if len(args) > 0 {
		verb += " " + args[0]
	}
	if msg == "" {
		return fmt.Errorf("%s: %w", verb, err)
	}
	return fmt.Errorf("%s: %w: %s", verb, err, msg)
}

// Refs lists refs under prefix whose names end in suffix ("" for all).
func (g Git) Refs(ctx context.Context, prefix, suffix string) ([]string, error) {
	out, err := g.Output(ctx, nil, "for-each-ref", "--format=%(refname)", prefix)
	if err != nil {
		return nil, err
	}
	var refs []string
	for _, r := range strings.Fields(string(out)) {
		if strings.HasSuffix(r, suffix) {
			refs = append(refs, r)
		}
	}
	return refs, nil
}
