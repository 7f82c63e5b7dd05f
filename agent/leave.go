package agent

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/agent/hubclient"
	"github.com/shardkeeper/shardkeeper/agent/ledger"
	"github.com/shardkeeper/shardkeeper/internal/words"
)

// DefaultLeaveDeadline is how long a leaving donor keeps files that still
// lack copies, waiting for others to take them.
const DefaultLeaveDeadline = 30 * 24 * time.Hour

// Leave starts "finish and give my space back" with the default deadline.
func (a *Agent) Leave(ctx context.Context) error {
	return a.LeaveBy(ctx, a.clock.Now().Add(DefaultLeaveDeadline))
}

// LeaveBy starts leaving: no new downloads; files that other donors hold
// enough copies of are given back at once, the others when other donors
// have them, or after deadline, whichever comes first; then the donor
// deregisters from the hub.
func (a *Agent) LeaveBy(ctx context.Context, deadline time.Time) error {
	a.mu.Lock()
	if !a.state.Left.IsZero() {
		a.mu.Unlock()
		return control.Conflictf("this donor already left the hub")
	}
	if a.state.Leaving == nil {
		a.state.Leaving = &home.Leaving{Since: a.clock.Now().UTC()}
	}
	a.state.Leaving.Deadline = deadline.UTC()
	err := a.home.SaveState(a.state)
	a.mu.Unlock()
	if err != nil {
		return err
	}
	a.emit(control.Event{Kind: control.EventHub, Message: "Leaving: giving space back as other donors take over (at the latest by " + deadline.Local().Format(time.DateOnly) + ")"})
	a.notifyHubLeaving(ctx)
	a.interrupt()
	a.kick()
	return nil
}

// notifyHubLeaving tells the hub once; an older hub without the endpoint
// is told by the donor's location log instead (its lines go to 0).
func (a *Agent) notifyHubLeaving(ctx context.Context) {
	a.mu.Lock()
	done := a.state.Leaving == nil || a.state.Leaving.HubNotified
	a.mu.Unlock()
	if done {
		return
	}
	err := a.askHub(ctx, a.hub.Leave)
	switch {
	case errors.Is(err, hubclient.ErrNotSupported):
		a.emit(control.Event{Kind: control.EventHub, Message: "The hub does not know about leaving yet; it will see the files go as you give them back"})
	case err != nil:
		a.emit(control.Event{Kind: control.EventHub, Message: "Could not tell the hub you are leaving; will retry: " + err.Error()})
		return
	}
	a.mu.Lock()
	if a.state.Leaving != nil {
		a.state.Leaving.HubNotified = true
		a.home.SaveState(a.state)
	}
	a.mu.Unlock()
}

// leaveStep gives back what may go now and deregisters when nothing is
// left. It returns the status message.
func (a *Agent) leaveStep(ctx context.Context) (string, error) {
	a.notifyHubLeaving(ctx)
	if err := a.refreshLocations(ctx); err != nil {
		return "", err
	}
	a.removePartials(func(ledger.Ref) bool { return true }, func() bool { return false })

	now := a.clock.Now()
	a.mu.Lock()
	pastDeadline := !now.Before(a.state.Leaving.Deadline)
	deadline := a.state.Leaving.Deadline
	var mayGo []ledger.Ref
	for _, ref := range a.dropOrderLocked() {
		if pastDeadline || a.copies.Get(ref.Shard).Copies(ref.Key, a.cfg.DonorUUID) >= a.target {
			mayGo = append(mayGo, ref)
		}
	}
	a.mu.Unlock()
	dropped, derr := a.dropRefs(ctx, mayGo, func() bool { return false })
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	a.mu.Lock()
	kept := a.ledger.HeldCount()
	a.mu.Unlock()
	perr := a.pushAll(ctx)
	if kept > 0 || derr != nil {
		msg := fmt.Sprintf("Leaving: gave back %s; keeping %d that still %s copies until other donors have them, or until %s.",
			words.Count(int64(dropped), "file", "files"), kept, words.Agree(int64(kept), "lacks", "lack"), deadline.Local().Format(time.DateOnly))
		if derr != nil {
			msg += " " + derr.Error()
		}
		return msg, nil
	}
	if perr != nil {
		return "Leaving: everything is given back; waiting for the hub to tell it.", nil
	}
	return a.deregister(ctx)
}

// deregister ends the donor's membership once the hub knows it holds
// nothing.
func (a *Agent) deregister(ctx context.Context) (string, error) {
	err := a.askHub(ctx, a.hub.Deregister)
	switch {
	case errors.Is(err, hubclient.ErrNotSupported):
		a.emit(control.Event{Kind: control.EventHub, Message: "The hub cannot deregister donors yet; it knows you hold nothing"})
	case errors.Is(err, hubclient.ErrNotFound):
		// Already forgotten: that is the goal.
	case err != nil:
		return "Leaving: everything is given back; could not deregister from the hub yet, will retry: " + err.Error(), nil
	}
	a.mu.Lock()
	a.state.Left = a.clock.Now().UTC()
	serr := a.home.SaveState(a.state)
	a.mu.Unlock()
	a.emit(control.Event{Kind: control.EventHub, Message: "You have left the hub; all your space is given back. Thank you!"})
	return "You have left the hub; all your space is given back. You may delete this home and the storage folder.", serr
}

// askHub makes one call about this donor to the hub, bounded in time.
func (a *Agent) askHub(ctx context.Context, call func(ctx context.Context, uuid, token string) error) error {
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return call(cctx, a.cfg.DonorUUID, a.cfg.Token)
}
