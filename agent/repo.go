package agent

import (
	"context"
	"io"
	"net"
	"net/url"

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
	// env is added to git-annex's environment (the download proxy).
	env []string
}

func newRepo(t Tools, dir, hubURL string) *repo {
	r := &repo{tools: t, dir: dir}
	// git-annex refuses URLs on loopback and private addresses by default
	// (a hostile branch could aim it at the donor's own network). Lift that
	// only when the hub itself is on loopback: the demo and the tests.
	if hubOnLoopback(hubURL) {
		r.annexConfig = []string{"-c", "annex.security.allowed-ip-addresses=all"}
	}
	return r
}

// viaProxy makes git-annex download through the agent's proxy: it may
// reach the proxy's loopback address (and nothing else on loopback: with
// no_proxy cleared every URL goes through the proxy, which refuses private
// destinations itself).
func (r *repo) viaProxy(proxyIP string, env []string) *repo {
	c := *r
	c.annexConfig = []string{"-c", "annex.security.allowed-ip-addresses=" + proxyIP}
	c.env = env
	return &c
}

func hubOnLoopback(hubURL string) bool {
	u, err := url.Parse(hubURL)
	return err == nil && isLoopback(u.Hostname())
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
	g := annex.Git{Bin: r.annexBin(), Dir: r.dir, Env: r.env}
	return g.Output(ctx, stdin, r.annexArgs(sub, args...)...)
}

// locations reads the merged view of the repository's git-annex branch.
func (r *repo) locations(ctx context.Context, lr *annex.LocationReader) (*annex.Locations, error) {
	return lr.Read(ctx, r.git(), annex.BranchRef, r.dir+"/.git")
}
