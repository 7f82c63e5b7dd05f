package agent

import (
	"context"

	"github.com/shardkeeper/shardkeeper/agent/power"
)

// osPower is what the OS tells (see agent/power for what each OS detects).
type osPower struct{}

func (osPower) OnBattery() (bool, bool) { return power.OnBattery() }

func (osPower) Metered(ctx context.Context) (bool, bool) { return power.Metered(ctx) }
