package agent

import (
	"context"
	"fmt"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// VerifyNow verifies every connected storage location and waits for the
// end: `shardkeeper verify` when no agent runs. When files were bad, it
// fetches them again at once and reports to the hub.
func (a *Agent) VerifyNow(ctx context.Context) (control.VerifyReport, error) {
	if err := a.Verify(ctx); err != nil {
		return control.VerifyReport{}, err
	}
	if a.verifier.WaitRun(ctx) != nil {
		a.stopVerifying()
		a.verifier.WaitRun(context.Background())
	}
	rep := *a.verifier.Last()
	if rep.Problems > 0 && ctx.Err() == nil {
		if err := a.Cycle(ctx); err != nil {
			rep.Repair = fmt.Sprintf("could not fetch them again yet (%v); the agent retries when it runs", err)
		} else {
			a.mu.Lock()
			rep.Repair = "fetched them again from the archive: " + a.state.Message
			a.mu.Unlock()
		}
	}
	if err := a.pushAll(ctx); err != nil {
		a.log.Warn("could not report the verification to the hub", "err", err)
	}
	return rep, nil
}
