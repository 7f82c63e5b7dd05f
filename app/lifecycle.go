package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/shardkeeper/shardkeeper/agent"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
)

// startAgent runs the home's agent inside this process (the desktop app
// and the demo do this when no agent service is running) and returns once
// its control socket answers.
func startAgent(ctx context.Context, g *globals, h home.Home, interval time.Duration) error {
	logger, closeLog, err := openLog(h, io.Discard)
	if err != nil {
		return err
	}
	a, err := agent.New(h, agent.Options{Tools: g.tools, Logger: logger, Interval: interval})
	if err != nil {
		closeLog()
		return err
	}
	done := make(chan error, 1)
	go func() {
		defer closeLog()
		done <- a.Run(ctx, false)
	}()
	client := control.NewClient(h.SocketPath())
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
