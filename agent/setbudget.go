package agent

import (
	"context"
	"fmt"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// PreviewBudget says what new limits would do, changing nothing.
func (a *Agent) PreviewBudget(ctx context.Context, l control.Limits) (control.BudgetPlan, error) {
	if err := CheckLimits(l); err != nil {
		return control.BudgetPlan{}, err
	}
	if err := a.refreshLocations(ctx); err != nil {
		return control.BudgetPlan{}, err
	}
	disk, derr := a.opts.DiskStat(a.cfg.Storage)
	a.mu.Lock()
	defer a.mu.Unlock()
	b := ComputeBudget(l, disk, derr == nil, a.ledger.Settled())
	b.Disk.Path = a.cfg.Storage
	bytes, files, _ := a.releasePlanLocked(b.EffectiveBytes)
	return control.BudgetPlan{Budget: b, ReleaseBytes: bytes, ReleaseFiles: files}, nil
}

// SetBudget saves new limits and applies them at once: a fill under way
// stops, and space is given back now when the new budget is smaller.
func (a *Agent) SetBudget(ctx context.Context, l control.Limits) (control.BudgetPlan, error) {
	plan, err := a.PreviewBudget(ctx, l)
	if err != nil {
		return plan, err
	}
	a.mu.Lock()
	s := a.settings
	a.mu.Unlock()
	old := s.Limits
	s.Limits = l
	if err := SaveSettings(a.home, s); err != nil {
		return plan, err
	}
	a.mu.Lock()
	a.settings = s
	if plan.ReleaseFiles > 0 || plan.ReleaseBytes > 0 {
		a.releasing = &control.Progress{Total: plan.ReleaseFiles}
	}
	a.mu.Unlock()
	a.limitsChanged(old, l)
	return plan, nil
}

// limitsChanged stops the fill and starts a cycle, which gives space back
// first when needed.
func (a *Agent) limitsChanged(old, l control.Limits) {
	b := a.updateBudget()
	a.emit(control.Event{Kind: control.EventBudget, Message: fmt.Sprintf("Budget is now %s (%s binds)", FormatSize(b.EffectiveBytes), b.Binding)})
	if !a.fits() {
		a.interrupt()
	}
	a.kick()
}

// GiveBack gives space back now until the budget fits (what a running
// agent does at the start of each cycle); for the CLI when no agent runs.
func (a *Agent) GiveBack(ctx context.Context) error {
	if err := a.rescan(); err != nil {
		return err
	}
	return a.shrink(ctx)
}
