package agent

import (
	"time"

	"github.com/shardkeeper/shardkeeper/agent/home"
)

// activityDays is how much daily history status keeps.
const activityDays = 30

// addActivityLocked counts one fetched file for today (local time).
func (a *Agent) addActivityLocked(bytes int64) {
	day := a.clock.Now().Local().Format(time.DateOnly)
	acts := a.state.Activity
	if n := len(acts); n == 0 || acts[n-1].Day != day {
		acts = append(acts, home.DayActivity{Day: day})
	}
	acts[len(acts)-1].Bytes += bytes
	acts[len(acts)-1].Files++
	if len(acts) > activityDays {
		acts = acts[len(acts)-activityDays:]
	}
	a.state.Activity = acts
}
