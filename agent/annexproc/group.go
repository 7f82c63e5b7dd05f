package annexproc

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/internal/gitenv"
)

// GroupCommand prepares git-annex in its own process group: cancelling ctx
// sends sig to it and the helpers it started (transfers, special remotes).
func (r *Repo) GroupCommand(ctx context.Context, sig syscall.Signal, sub string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, r.annexBin(), r.annexArgs(sub, args...)...)
	cmd.Dir = r.Dir
	cmd.Env = gitenv.Environ(os.Environ(), r.Env)
	OwnGroup(cmd, sig)
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// AnnexGroup runs git-annex in its own process group: cancelling ctx (a
// pause, the hours closing) ends it and the special remote it started
// together, so no upload goes on behind the donor's back (SigEnd: git
// among them leaves no lock behind).
func (r *Repo) AnnexGroup(ctx context.Context, stdin io.Reader, sub string, args ...string) ([]byte, error) {
	cmd := r.GroupCommand(ctx, SigEnd, sub, args...)
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.Bytes(), annex.CommandError("git-annex", append([]string{sub}, args...), err, errb.Bytes())
	}
	return out.Bytes(), nil
}
