// Package annexproc is the agent's git-annex process layer: one donor
// shard repository (Repo) and the git-annex commands run in it, long-lived
// batch git-annex processes (Batch) with their --json output as lines, each
// in its own process group (OwnGroup).
package annexproc

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

func (t Tools) GitIn(dir string) annex.Git { return annex.Git{Bin: t.Git, Dir: dir} }

// Repo is one donor shard repository.
type Repo struct {
	tools Tools
	Dir   string
	// annexConfig is passed as -c to every git-annex call.
	annexConfig []string
	// Env is added to git-annex's environment (the download proxy).
	Env []string
}

// NewRepo is the repository in dir of a shard from the hub at hubURL.
func NewRepo(t Tools, dir, hubURL string) *Repo {
	r := &Repo{tools: t, Dir: dir}
	// git-annex refuses URLs on loopback and private addresses by default
	// (a hostile branch could aim it at the donor's own network). Lift that
	// only when the hub itself is on loopback: the demo and the tests.
	if HubOnLoopback(hubURL) {
		r.annexConfig = []string{"-c", "annex.security.allowed-ip-addresses=all"}
	}
	return r
}

// ViaProxy makes git-annex download through the agent's proxy: it may
// reach the proxy's loopback address (and nothing else on loopback: with
// no_proxy cleared every URL goes through the proxy, which refuses private
// destinations itself).
func (r *Repo) ViaProxy(proxyIP string, env []string) *Repo {
	c := *r
	c.annexConfig = []string{"-c", "annex.security.allowed-ip-addresses=" + proxyIP}
	c.Env = env
	return &c
}

// HubOnLoopback says whether the hub runs on this machine (the demo, tests).
func HubOnLoopback(hubURL string) bool {
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

func (r *Repo) Git() annex.Git { return r.tools.GitIn(r.Dir) }

// annexArgs puts the per-repository -c options after the subcommand,
// which is where git-annex reads them.
func (r *Repo) annexArgs(sub string, args ...string) []string {
	out := append([]string{sub}, r.annexConfig...)
	return append(out, args...)
}

func (r *Repo) annexBin() string {
	if r.tools.GitAnnex == "" {
		return "git-annex"
	}
	return r.tools.GitAnnex
}

// Annex runs a git-annex subcommand and returns its stdout.
func (r *Repo) Annex(ctx context.Context, stdin io.Reader, sub string, args ...string) ([]byte, error) {
	g := annex.Git{Bin: r.annexBin(), Dir: r.Dir, Env: r.Env}
	return g.Output(ctx, stdin, r.annexArgs(sub, args...)...)
}

// Locations reads the merged view of the repository's git-annex branch.
func (r *Repo) Locations(ctx context.Context, lr *annex.LocationReader) (*annex.Locations, error) {
	return lr.Read(ctx, r.Git(), annex.BranchRef, r.Dir+"/.git")
}
