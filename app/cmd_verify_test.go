package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// verifyAPI answers Verify and Status only (the rest is not called).
type verifyAPI struct {
	control.API
	verifyErr error
	status    control.Status
}

func (v verifyAPI) Verify(context.Context) error                   { return v.verifyErr }
func (v verifyAPI) Status(context.Context) (control.Status, error) { return v.status, nil }

// TestVerifyRunningIsTyped: "a verification is already running" is told
// by the agent's conflict and its status, whatever the message says.
func TestVerifyRunningIsTyped(t *testing.T) {
	ctx := context.Background()
	t0 := time.Unix(1000, 0)
	old := &control.VerifyReport{Started: t0, Finished: &t0}
	t1 := t0.Add(time.Hour)
	newer := &control.VerifyReport{Started: t1, Finished: &t1}
	conflict := control.Conflictf("busy, in other words")
	before := control.Status{LastVerification: old}
	for _, c := range []struct {
		name string
		err  error
		st   control.Status
		want bool
	}{
		{"conflict while one runs", conflict, control.Status{Verifying: &control.Progress{}, LastVerification: old}, true},
		{"conflict, and one ended since", conflict, control.Status{LastVerification: newer}, true},
		{"conflict for another reason", conflict, control.Status{LastVerification: old}, false},
		{"not a conflict", errors.New("a verification is already running"), control.Status{Verifying: &control.Progress{}}, false},
	} {
		api := verifyAPI{verifyErr: c.err, status: c.st}
		if got := verifyRunning(ctx, api, before, c.err); got != c.want {
			t.Errorf("%s: verifyRunning = %v, want %v", c.name, got, c.want)
		}
	}
}
