package agent

import "github.com/shardkeeper/shardkeeper/agent/plan"

// batchOf is the next batch of a plan, by the agent's batch options.
func (a *Agent) batchOf(fetch []plan.Candidate) []plan.Candidate {
	return plan.BatchOf(fetch, a.opts.BatchFiles, a.opts.BatchBytes)
}
