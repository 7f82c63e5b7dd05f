package agent

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/internal/gitenv"
)

// annexLine is one line of a batch git-annex's --json output.
type annexLine struct {
	Blank    bool // the key of this line was not acted on (already there)
	Progress *progressLine
	Result   *resultLine
}

// resultLine is the outcome for one key.
type resultLine struct {
	Command       string   `json:"command"`
	Key           string   `json:"key"`
	Note          string   `json:"note"`
	Success       bool     `json:"success"`
	ErrorMessages []string `json:"error-messages"`
}

// progressLine is --json-progress for one transfer.
type progressLine struct {
	Action struct {
		Key string `json:"key"`
	} `json:"action"`
	BytesDone int64 `json:"byte-progress"`
	TotalSize int64 `json:"total-size"`
}

// batchProc is a long-lived `git-annex SUB --batch-keys --json`: keys go
// in one line at a time as the agent decides, results come out as they
// happen (out of order with -J).
type batchProc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan annexLine
	stderr *tailBuffer
	wmu    sync.Mutex
	closed bool
}

// startBatch starts a batch git-annex; cancelling ctx sends sig to it
// and its helpers.
func (r *repo) startBatch(ctx context.Context, sig syscall.Signal, sub string, args ...string) (*batchProc, error) {
	all := append([]string{"--batch-keys", "--json", "--json-error-messages"}, args...)
	return r.startJSON(ctx, sig, true, sub, all...)
}

// startJSON starts a git-annex whose --json output becomes lines; with
// input, keys can be sent to its stdin.
func (r *repo) startJSON(ctx context.Context, sig syscall.Signal, input bool, sub string, args ...string) (*batchProc, error) {
	cmd := r.groupCommand(ctx, sig, sub, args...)
	p := &batchProc{cmd: cmd, lines: make(chan annexLine, 64), stderr: &tailBuffer{max: 16 << 10}, closed: !input}
	var err error
	if input {
		if p.stdin, err = cmd.StdinPipe(); err != nil {
			return nil, err
		}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start git-annex %s: %w (is git-annex installed?)", sub, err)
	}
	go p.read(stdout)
	return p, nil
}

// groupCommand prepares git-annex in its own process group: cancelling ctx
// sends sig to it and the helpers it started (transfers, special remotes).
func (r *repo) groupCommand(ctx context.Context, sig syscall.Signal, sub string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, r.annexBin(), r.annexArgs(sub, args...)...)
	cmd.Dir = r.dir
	cmd.Env = gitenv.Environ(os.Environ(), r.env)
	ownGroup(cmd, sig)
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

func (p *batchProc) read(stdout io.Reader) {
	defer close(p.lines)
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			p.lines <- annexLine{Blank: true}
			continue
		}
		var probe struct {
			Action  *json.RawMessage `json:"action"`
			Success *bool            `json:"success"`
		}
		if json.Unmarshal(b, &probe) != nil {
			continue
		}
		switch {
		case probe.Action != nil && probe.Success == nil:
			var pl progressLine
			if json.Unmarshal(b, &pl) == nil {
				p.lines <- annexLine{Progress: &pl}
			}
		case probe.Success != nil:
			var rl resultLine
			if json.Unmarshal(b, &rl) == nil {
				p.lines <- annexLine{Result: &rl}
			}
		}
	}
	io.Copy(io.Discard, stdout) // never leave git-annex blocked on a full pipe
}

// send hands git-annex one more key.
func (p *batchProc) send(k annex.Key) error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	if p.closed {
		return errors.New("git-annex input already closed")
	}
	_, err := io.WriteString(p.stdin, string(k)+"\n")
	return err
}

// closeInput tells git-annex no more keys come: it finishes what it has
// and exits (committing its journal).
func (p *batchProc) closeInput() {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	if !p.closed {
		p.closed = true
		if p.stdin != nil {
			p.stdin.Close()
		}
	}
}

// wait reaps git-annex after its output ended. Exit status 1 only says
// some keys failed, which their results already said.
func (p *batchProc) wait(ctx context.Context) error {
	p.closeInput()
	for range p.lines {
	}
	err := p.cmd.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 {
		return nil
	}
	if err != nil {
		return annex.CommandError("git-annex", p.cmd.Args[1:2], err, p.stderr.Bytes())
	}
	return nil
}

// tailBuffer keeps the last max bytes written (git-annex's stderr).
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append([]byte(nil), t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) Bytes() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]byte(nil), t.b...)
}
