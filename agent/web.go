package agent

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/annexproc"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/agent/webproxy"
)

// repoFor is a shard's repository whose downloads go through the agent's
// proxy (rate limit, backoff signals, destination checks). Without the
// proxy git-annex downloads directly, unlimited.
func (a *Agent) repoFor(sh home.ShardConfig) *annexproc.Repo {
	r := annexproc.NewRepo(a.opts.Tools, sh.Path, a.cfg.Hub)
	p, err := a.ensureProxy()
	if err != nil {
		a.log.Warn("downloading without the rate-limiting proxy", "err", err)
		return r
	}
	return r.ViaProxy("127.0.0.1", p.Env())
}

// ensureProxy starts the download proxy once.
func (a *Agent) ensureProxy() (*webproxy.Proxy, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.proxy != nil {
		return a.proxy, nil
	}
	p, err := webproxy.Start(webproxy.Options{
		Limiter: a.limiter,
		// The demo's and the tests' archive is on loopback, like their hub.
		AllowPrivate: annexproc.HubOnLoopback(a.cfg.Hub),
		Upstream:     http.ProxyFromEnvironment,
		OnResponse:   a.onWebAnswer,
		StallAfter:   a.opts.StallAfter,
	})
	if err != nil {
		return nil, err
	}
	a.proxy = p
	return p, nil
}

// onWebAnswer books what the archive answered: 429 and runs of 5xx or
// timeouts pause all downloads for a while (with jitter).
func (a *Agent) onWebAnswer(r webproxy.Response) {
	ra, _ := strconv.Atoi(r.RetryAfter)
	// A refused destination or bytes that fail the check say nothing of
	// whether the archive can be reached.
	unreachable := r.Err != nil && !errors.Is(r.Err, webproxy.ErrRefused) && !errors.Is(r.Err, webproxy.ErrMismatch)
	started, until, reason := a.fails.Answer(r.Status, time.Duration(ra)*time.Second, unreachable, a.clock.Now())
	if started {
		a.saveFailures()
	}
	if started {
		a.emit(control.Event{Kind: control.EventError,
			Message: "Downloads paused: " + reason + "; trying again after " + until.Local().Format(time.TimeOnly)})
	}
}
