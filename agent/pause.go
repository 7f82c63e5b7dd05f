package agent

import (
	"context"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
)

// Pause stops all work until Resume: downloads stop at once (git-annex
// keeps partial downloads for later), verification stops after its
// current file, nothing new starts. It persists, so restarts stay paused.
func (a *Agent) Pause(ctx context.Context) error {
	return a.pause(time.Time{})
}

// PauseUntil pauses until a time (a snooze); it survives restarts too.
func (a *Agent) PauseUntil(ctx context.Context, until time.Time) error {
	if !until.After(a.clock.Now()) {
		return control.Invalidf("the snooze must end in the future")
	}
	return a.pause(until)
}

func (a *Agent) pause(until time.Time) error {
	a.mu.Lock()
	a.state.Paused = true
	a.state.PausedUntil = until.UTC()
	if until.IsZero() {
		a.state.PausedUntil = time.Time{}
	}
	if a.cancelCycle != nil {
		a.cancelCycle()
	}
	err := a.home.SaveState(a.state)
	a.mu.Unlock()
	a.stopVerifying()
	msg := "Paused until you resume"
	if !until.IsZero() {
		msg = "Paused until " + until.Local().Format(time.DateTime)
	}
	a.emit(control.Event{Kind: control.EventPaused, Message: msg})
	return err
}

// Resume undoes Pause and starts a cycle now.
func (a *Agent) Resume(ctx context.Context) error {
	a.mu.Lock()
	a.state.Paused = false
	a.state.PausedUntil = time.Time{}
	err := a.home.SaveState(a.state)
	a.mu.Unlock()
	a.emit(control.Event{Kind: control.EventResumed, Message: "Resumed"})
	a.kick()
	a.restore.Kick()
	a.resumeVerifying()
	return err
}

// SetPausedOffline pauses (until a time, when not zero) or resumes a home
// whose agent is not running.
func SetPausedOffline(h home.Home, paused bool, until time.Time) error {
	if _, err := h.LoadConfig(); err != nil {
		return err
	}
	st, err := h.LoadState()
	if err != nil {
		return err
	}
	st.Paused = paused
	st.PausedUntil = time.Time{}
	if paused && !until.IsZero() {
		st.PausedUntil = until.UTC()
	}
	return h.SaveState(st)
}

// policyLoop ends snoozes, follows the schedule and the power source, and
// sets the download rate.
func (a *Agent) policyLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-a.clock.After(a.policyWait()):
		}
		a.applyPolicy()
	}
}

// policyWait is the time to the next check: sooner when a snooze ends or
// the schedule's window opens or closes before it.
func (a *Agent) policyWait() time.Duration {
	now := a.clock.Now()
	d := a.opts.PolicyEvery
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.state.Paused && !a.state.PausedUntil.IsZero() {
		d = min(d, max(a.state.PausedUntil.Sub(now), 0))
	}
	if w, ok, _ := parseSchedule(a.settings.Schedule); ok {
		d = min(d, max(w.nextChange(now).Sub(now), 0))
	}
	return d
}

// applyPolicy decides whether downloads may run now and how fast.
func (a *Agent) applyPolicy() {
	now := a.clock.Now()
	a.mu.Lock()
	s := a.settings
	snoozeOver := a.state.Paused && !a.state.PausedUntil.IsZero() && !now.Before(a.state.PausedUntil)
	a.mu.Unlock()
	if snoozeOver {
		a.log.Info("snooze over")
		a.Resume(context.Background())
	}
	allowed, rate, why := fetchPolicy(s, now)
	if allowed && s.PauseOnBattery {
		if on, known := a.opts.Power.OnBattery(); known && on {
			allowed, why = false, "Waiting: the computer is on battery."
		}
	}
	if allowed && s.PauseOnMetered {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if m, known := a.opts.Power.Metered(ctx); known && m {
			allowed, why = false, "Waiting: the network connection is metered."
		}
		cancel()
	}
	if a.limiter.Rate() != rate {
		a.limiter.SetRate(rate)
		a.log.Info("download rate set", "bytes_per_sec", rate)
	}
	a.mu.Lock()
	was := a.blocked
	a.blocked = why
	if !allowed && was == "" && a.cancelCycle != nil && a.phase == control.StateFetching {
		a.cancelCycle()
	}
	a.mu.Unlock()
	switch {
	case !allowed && was == "":
		a.emit(control.Event{Kind: control.EventPaused, Message: why})
	case allowed && was != "":
		a.emit(control.Event{Kind: control.EventResumed, Message: "Downloads may run again"})
		a.kick()
	}
}
