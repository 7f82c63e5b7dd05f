package agent

import (
	"context"
	"errors"
	"fmt"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/annex"
)

// Status is the live status of a running agent.
func (a *Agent) Status(ctx context.Context) (control.Status, error) {
	cfg, err := a.home.LoadConfig()
	if err != nil {
		return control.Status{}, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	st := buildStatus(cfg, a.state, a.held, a.phase)
	if a.phase == control.StateFetching && !a.state.Paused {
		st.Message = fmt.Sprintf("Fetching %d files…", a.inflight)
	}
	return st, nil
}

// Pause stops the cycle under way at once (git-annex keeps partial
// downloads for later) and starts nothing new until Resume. It persists,
// so a restart stays paused.
func (a *Agent) Pause(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.state.Paused = true
	if a.cancel != nil {
		a.cancel()
	}
	return a.home.SaveState(a.state)
}

// Resume undoes Pause and starts a cycle now.
func (a *Agent) Resume(ctx context.Context) error {
	a.mu.Lock()
	a.state.Paused = false
	err := a.home.SaveState(a.state)
	a.mu.Unlock()
	select {
	case a.wake <- struct{}{}:
	default:
	}
	return err
}

// OfflineStatus computes the status from disk when no agent is running.
func OfflineStatus(h home.Home) (control.Status, error) {
	cfg, err := h.LoadConfig()
	if errors.Is(err, home.ErrNotJoined) {
		return control.Status{State: control.StateNotJoined, Message: err.Error(), Shards: []control.ShardStatus{}}, nil
	}
	if err != nil {
		return control.Status{}, err
	}
	state, err := h.LoadState()
	if err != nil {
		return control.Status{}, err
	}
	held := map[string]map[annex.Key]int64{}
	for _, sh := range cfg.Shards {
		m, err := HeldObjects(sh.Path)
		if err != nil {
			return control.Status{}, fmt.Errorf("read what %s holds: %w", sh.Path, err)
		}
		held[sh.Name] = m
	}
	return buildStatus(cfg, state, held, control.StateOffline), nil
}

// SetPausedOffline pauses or resumes a home whose agent is not running.
func SetPausedOffline(h home.Home, paused bool) error {
	if _, err := h.LoadConfig(); err != nil {
		return err
	}
	st, err := h.LoadState()
	if err != nil {
		return err
	}
	st.Paused = paused
	return h.SaveState(st)
}

func buildStatus(cfg home.Config, state home.State, held map[string]map[annex.Key]int64, phase string) control.Status {
	st := control.Status{
		BudgetBytes: cfg.BudgetBytes, Paused: state.Paused, State: phase, Message: state.Message,
		Hub: cfg.Hub, DonorUUID: cfg.DonorUUID, Storage: cfg.Storage, Shards: []control.ShardStatus{},
	}
	if !state.LastCycle.IsZero() {
		t := state.LastCycle
		st.LastCycle = &t
	}
	if state.Paused {
		st.State = control.StatePaused
	}
	for _, sh := range cfg.Shards {
		m := held[sh.Name]
		bytes := sumSizes(m)
		st.Shards = append(st.Shards, control.ShardStatus{
			Name: sh.Name, Path: sh.Path, Files: sh.Files, FilesHeld: int64(len(m)), BytesHeld: bytes,
		})
		st.FilesProtected += int64(len(m))
		st.BytesHeld += bytes
	}
	return st
}
