//go:build !nogui

package app

import (
	"context"
	"errors"
	"time"

	"github.com/shardkeeper/shardkeeper/agent"
	"github.com/shardkeeper/shardkeeper/agent/hubclient"
	"github.com/shardkeeper/shardkeeper/ui"
)

// Collections lists the hub's collections for the wizard.
func (j joiner) Collections(ctx context.Context, hub string) ([]ui.Collection, error) {
	return hubCollections(ctx, hub)
}

// JoinWith joins with the collection and region chosen in the wizard.
func (j joiner) JoinWith(ctx context.Context, c ui.JoinChoice) error {
	_, err := agent.Join(ctx, j.home, j.tools, agent.JoinRequest{Hub: c.Hub, Storage: c.Storage, BudgetBytes: c.Budget,
		Collection: c.Collection, Region: c.Region}, time.Now)
	return err
}

var _ ui.Chooser = joiner{}

// hubCollections asks a hub for its collections (none from an older hub).
func hubCollections(ctx context.Context, hub string) ([]ui.Collection, error) {
	c, err := hubclient.New(hub)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cols, err := c.Collections(ctx)
	if errors.Is(err, hubclient.ErrNotSupported) {
		return nil, nil
	}
	return agent.ControlCollections(cols), err
}
