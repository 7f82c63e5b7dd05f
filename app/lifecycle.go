package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/shardkeeper/shardkeeper/agent"
	"github.com/shardkeeper/shardkeeper/agent/home"
)

// agentLog is a logger and how to close its file.
type agentLog struct {
	*slog.Logger
	close func() error
}

// startAgent runs the home's agent inside this process (the desktop app
// and the demo do this when no agent service is running) and returns once
// its control endpoint answers.
func startAgent(ctx context.Context, g *globals, h home.Home, interval time.Duration) error {
	lg, err := openAgentLog(h)
	if err != nil {
		return err
	}
	a, err := agent.New(h, agent.Options{Tools: g.tools, Logger: lg.Logger, Interval: interval, StartAtLogin: startAtLogin(g)})
	if err != nil {
		lg.close()
		return err
	}
	done := make(chan error, 1)
	go func() {
		defer lg.close()
		done <- a.Run(ctx, false)
	}()
	client := agentClient(h)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			return fmt.Errorf("the agent stopped at start: %w", err)
		case <-time.After(50 * time.Millisecond):
		}
		if _, err := client.Status(ctx); err == nil {
			return nil
		}
	}
	return fmt.Errorf("the agent did not answer on %s within 10 seconds", h.SocketPath())
}
