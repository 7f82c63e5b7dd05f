package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shardkeeper/shardkeeper/agent"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/agent/logging"
)

// agentClient reaches the home's agent: its Unix socket, or on Windows
// its loopback port with the token from the home.
func agentClient(h home.Home) *control.Client {
	return control.NewLocalClient(h.SocketPath(), h.EndpointPath())
}

// askTimeout bounds a question to the running agent.
const askTimeout = 5 * time.Second

// orOffline is the one way a command works without a running agent:
// online runs against the running agent's control API (within timeout,
// when not 0); when no agent runs, offline runs instead and acts on the
// home directly. Any other error from the running agent is returned as it
// is.
func orOffline(ctx context.Context, h home.Home, timeout time.Duration, online func(ctx context.Context, c *control.Client) error, offline func() error) error {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	err := online(ctx, agentClient(h))
	if errors.Is(err, control.ErrNotRunning) {
		return offline()
	}
	return err
}

// reach returns the running agent's API, or, when none runs, the home's
// agent in this process (it acts on the home directly and logs to the
// home's log). local is that in-process agent, nil when one runs.
func reach(ctx context.Context, g *globals, h home.Home) (api control.API, local *agent.Agent, closeFn func(), err error) {
	closeFn = func() {}
	err = orOffline(ctx, h, askTimeout, func(ctx context.Context, c *control.Client) error {
		_, err := c.Status(ctx)
		api = c
		return err
	}, func() error {
		local, closeFn, err = inProcessAgent(g, h)
		api = local
		return err
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return api, local, closeFn, nil
}

// inProcessAgent is the home's agent in this process, logging to the
// home's log; closeFn releases both.
func inProcessAgent(g *globals, h home.Home) (*agent.Agent, func(), error) {
	cfg, err := h.LoadConfig()
	if err != nil {
		return nil, nil, err
	}
	logger, closer, err := logging.Open(h.LogPath(), nil, cfg.Token)
	if err != nil {
		return nil, nil, err
	}
	a, err := agent.New(h, agent.Options{Tools: g.tools, Logger: logger, StartAtLogin: startAtLogin(g)})
	if err != nil {
		closer.Close()
		return nil, nil, err
	}
	return a, func() { a.Close(); closer.Close() }, nil
}

// notRunningNote is said after a change made without a running agent.
func notRunningNote(h home.Home) string {
	return fmt.Sprintf("(The agent is not running; start it with `shardkeeper --home %s agent`.)", h.Dir)
}

// withAgent resolves the home, reaches its agent (see reach) and runs fn.
func withAgent(ctx context.Context, g *globals, fn func(api control.API, local *agent.Agent, h home.Home) error) error {
	h, err := g.resolveHome()
	if err != nil {
		return err
	}
	api, local, done, err := reach(ctx, g, h)
	if err != nil {
		return err
	}
	defer done()
	return fn(api, local, h)
}
