package agent

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"os/exec"
	"strings"

	"github.com/shardkeeper/shardkeeper/annex"
)

// Tools are the external programs the agent drives; injectable for tests
// and for packaged builds that ship their own git-annex.
type Tools struct {
	Git      string // "git"
	GitAnnex string // "git-annex"
}

func (t Tools) git(dir string) annex.Git { return annex.Git{Bin: t.Git, Dir: dir} }

// repo is one donor shard repository.
type repo struct {
	tools Tools
	dir   string
	// annexConfig is passed as -c to every git-annex call.
	annexConfig []string
}

func newRepo(t Tools, dir, hubURL string) *repo {
	r := &repo{tools: t, dir: dir}
	// git-annex refuses URLs on loopback and private addresses by default
	// (a hostile branch could aim it at the donor's own network). Lift that
	// only when the hub itself is on loopback: the demo and the tests.
	if u, err := url.Parse(hubURL); err == nil && isLoopback(u.Hostname()) {
		r.annexConfig = []string{"-c", "annex.security.allowed-ip-addresses=all"}
	}
	return r
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (r *repo) git() annex.Git { return r.tools.git(r.dir) }

// annexArgs puts the per-repository -c options after the subcommand,
// which is where git-annex reads them.
func (r *repo) annexArgs(sub string, args ...string) []string {
	out := append([]string{sub}, r.annexConfig...)
	return append(out, args...)
}

func (r *repo) annexBin() string {
	if r.tools.GitAnnex == "" {
		return "git-annex"
	}
	return r.tools.GitAnnex
}

// annex runs a git-annex subcommand and returns its stdout.
func (r *repo) annex(ctx context.Context, stdin io.Reader, sub string, args ...string) ([]byte, error) {
	g := annex.Git{Bin: r.annexBin(), Dir: r.dir}
	return g.Output(ctx, stdin, r.annexArgs(sub, args...)...)
}

// getResult is git-annex get's --json line for one key.
type getResult struct {
	Key           string   `json:"key"`
	Success       bool     `json:"success"`
	Note          string   `json:"note"`
	ErrorMessages []string `json:"error-messages"`
}

// get fetches keys from the web with `git-annex get --batch-keys`, calling
// done for each result as it arrives (out of order with -J).
func (r *repo) get(ctx context.Context, keys []annex.Key, jobs int, done func(getResult)) error {
	args := r.annexArgs("get", "--batch-keys", "--json", "--json-error-messages", fmt.Sprintf("-J%d", max(jobs, 1)))
	cmd := exec.CommandContext(ctx, r.annexBin(), args...)
	cmd.Dir = r.dir
	var in strings.Builder
	for _, k := range keys {
		in.WriteString(string(k) + "\n")
	}
	cmd.Stdin = strings.NewReader(in.String())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start git-annex: %w (is git-annex installed?)", err)
	}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		var res getResult
		if json.Unmarshal(sc.Bytes(), &res) == nil && res.Key != "" {
			done(res)
		}
	}
	io.Copy(io.Discard, stdout) // never leave git-annex blocked on a full pipe
	err = cmd.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	// git-annex exits 1 when some keys failed; those are reported per key.
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
		return nil
	}
	if err != nil {
		return annex.CommandError("git-annex", []string{"get"}, err, []byte(stderr.String()))
	}
	return nil
}

// locations reads the merged view of the repository's git-annex branch.
func (r *repo) locations(ctx context.Context) (*annex.Locations, error) {
	loc, err := annex.ReadLocations(ctx, r.git(), annex.BranchRef)
	if err != nil {
		return nil, err
	}
	if err := loc.ApplyJournal(r.dir + "/.git"); err != nil {
		return nil, err
	}
	return loc, nil
}
