package annexproc

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"syscall"

	"github.com/shardkeeper/shardkeeper/annex"
)

// Line is one line of a batch git-annex's --json output.
type Line struct {
	Blank    bool // the key of this line was not acted on (already there)
	Progress *ProgressLine
	Result   *ResultLine
}

// ResultLine is the outcome for one key.
type ResultLine struct {
	Command       string   `json:"command"`
	Key           string   `json:"key"`
	Note          string   `json:"note"`
	Success       bool     `json:"success"`
	ErrorMessages []string `json:"error-messages"`
}

// ProgressLine is --json-progress for one transfer.
type ProgressLine struct {
	Action struct {
		Key string `json:"key"`
	} `json:"action"`
	BytesDone int64 `json:"byte-progress"`
	TotalSize int64 `json:"total-size"`
}

// Batch is a long-lived `git-annex SUB --batch-keys --json`: keys go
// in one line at a time as the agent decides, results come out as they
// happen (out of order with -J).
type Batch struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	Lines  chan Line // closed when git-annex's output ends
	stderr *tailBuffer
	wmu    sync.Mutex
	closed bool
}

// StartBatch starts a batch git-annex; cancelling ctx sends sig to it
// and its helpers.
func (r *Repo) StartBatch(ctx context.Context, sig syscall.Signal, sub string, args ...string) (*Batch, error) {
	all := append([]string{"--batch-keys", "--json", "--json-error-messages"}, args...)
	return r.StartJSON(ctx, sig, true, sub, all...)
}

// StartJSON starts a git-annex whose --json output becomes lines; with
// input, keys can be sent to its stdin.
func (r *Repo) StartJSON(ctx context.Context, sig syscall.Signal, input bool, sub string, args ...string) (*Batch, error) {
	cmd := r.GroupCommand(ctx, sig, sub, args...)
	p := &Batch{cmd: cmd, Lines: make(chan Line, 64), stderr: &tailBuffer{max: 16 << 10}, closed: !input}
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

func (p *Batch) read(stdout io.Reader) {
	defer close(p.Lines)
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			p.Lines <- Line{Blank: true}
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
			var pl ProgressLine
			if json.Unmarshal(b, &pl) == nil {
				p.Lines <- Line{Progress: &pl}
			}
		case probe.Success != nil:
			var rl ResultLine
			if json.Unmarshal(b, &rl) == nil {
				p.Lines <- Line{Result: &rl}
			}
		}
	}
	io.Copy(io.Discard, stdout) // never leave git-annex blocked on a full pipe
}

// Send hands git-annex one more key.
func (p *Batch) Send(k annex.Key) error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	if p.closed {
		return errors.New("git-annex input already closed")
	}
	_, err := io.WriteString(p.stdin, string(k)+"\n")
	return err
}

// CloseInput tells git-annex no more keys come: it finishes what it has
// and exits (committing its journal).
func (p *Batch) CloseInput() {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	if !p.closed {
		p.closed = true
		if p.stdin != nil {
			p.stdin.Close()
		}
	}
}

// Wait reaps git-annex after its output ended. Exit status 1 only says
// some keys failed, which their results already said.
func (p *Batch) Wait(ctx context.Context) error {
	p.CloseInput()
	for range p.Lines {
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

// Pid is git-annex's process ID (its process group on Unix).
func (p *Batch) Pid() int { return p.cmd.Process.Pid }

// WaitRaw reaps git-annex and returns its exit error as it is.
func (p *Batch) WaitRaw() error { return p.cmd.Wait() }

// Stderr is the tail of what git-annex wrote to stderr.
func (p *Batch) Stderr() []byte { return p.stderr.Bytes() }
