package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/shardkeeper/shardkeeper/agent"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
)

func newSettingsCmd(g *globals) *cobra.Command {
	opts := &settingsFlags{}
	cmd := &cobra.Command{
		Use:   "settings [--bandwidth KBPS] [--schedule HH:MM-HH:MM] [--off-hours-kbps KBPS] ...",
		Short: "Show or change politeness settings: bandwidth, schedule, battery, metered networks",
		Example: `  shardkeeper settings --bandwidth 500                       # at most 500 KB/s
  shardkeeper settings --schedule 01:00-07:00                 # only at night
  shardkeeper settings --schedule 01:00-07:00 --off-hours-kbps 100   # full speed at night, 100 KB/s by day
  shardkeeper settings --schedule always`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withAgent(cmd.Context(), g, func(api control.API, local *agent.Agent, h home.Home) error {
				return runSettings(cmd, api, local, h, opts)
			})
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.bandwidth, "bandwidth", 0, "download at most KBPS kilobytes per second (0: unlimited)")
	f.StringVar(&opts.schedule, "schedule", "", `download during HH:MM-HH:MM local time only ("always" for any time)`)
	f.IntVar(&opts.offHours, "off-hours-kbps", 0, "outside the schedule, download at this rate (0: not at all)")
	f.BoolVar(&opts.battery, "pause-on-battery", false, "pause downloads while on battery")
	f.BoolVar(&opts.metered, "pause-on-metered", false, "pause downloads on a metered connection")
	f.StringVar(&opts.name, "name", "", "display name for the hub's board")
	f.BoolVar(&opts.board, "show-on-board", false, "show your name on the hub's board")
	f.BoolVar(&opts.login, "start-at-login", false, "run the agent at login (installs the per-user service)")
	f.IntVar(&opts.verifyDays, "verify-every-days", 0, "verify everything held every N days (default 30)")
	f.IntVar(&opts.verifyKBps, "verify-kbps", 0, "verify (read and check) at most KBPS kilobytes per second (0: unlimited)")
	f.BoolVar(&opts.helpRestores, "help-restores-any-time", true, "send files back for the archive's restores outside the schedule too (false: only during it)")
	f.BoolVar(&opts.asJSON, "json", false, "print machine-readable JSON")
	opts.place.add(f)
	return cmd
}

type settingsFlags struct {
	bandwidth, offHours, verifyDays int
	verifyKBps                      int
	login                           bool
	schedule, name                  string
	battery, metered, board, asJSON bool
	helpRestores                    bool
	place                           placementFlags
}

// runSettings applies the flags given and prints the settings.
func runSettings(cmd *cobra.Command, api control.API, local *agent.Agent, h home.Home, o *settingsFlags) error {
	s, err := api.Settings(cmd.Context())
	if err != nil {
		return err
	}
	f := cmd.Flags()
	changed := false
	set := func(flag string, apply func()) {
		if f.Changed(flag) {
			apply()
			changed = true
		}
	}
	set("bandwidth", func() { s.BandwidthKBps = o.bandwidth })
	set("off-hours-kbps", func() { s.OffHoursKBps = o.offHours })
	set("schedule", func() {
		s.Schedule = o.schedule
		if strings.EqualFold(o.schedule, "always") {
			s.Schedule = ""
		}
	})
	set("pause-on-battery", func() { s.PauseOnBattery = o.battery })
	set("pause-on-metered", func() { s.PauseOnMetered = o.metered })
	set("name", func() { s.DisplayName = o.name })
	set("show-on-board", func() { s.ShowOnBoard = o.board })
	set("start-at-login", func() { s.StartAtLogin = o.login })
	set("verify-every-days", func() { s.VerifyEveryDays = o.verifyDays })
	set("verify-kbps", func() { s.VerifyKBps = o.verifyKBps })
	set("help-restores-any-time", func() { s.RestoreInScheduleOnly = !o.helpRestores })
	placed, err := o.place.apply(f, &s)
	if err != nil {
		return err
	}
	changed = changed || placed
	out := cmd.OutOrStdout()
	if changed {
		if err := api.UpdateSettings(cmd.Context(), s); err != nil {
			return err
		}
		if f.Changed("start-at-login") {
			fmt.Fprintln(out, lastLoginMessage(cmd.Context(), api))
		}
	}
	if o.asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	rate := func(k int) string {
		if k == 0 {
			return "unlimited"
		}
		return fmt.Sprintf("%d KB/s", k)
	}
	sched := s.Schedule
	if sched == "" {
		sched = "always"
	}
	fmt.Fprintf(out, "Bandwidth:        %s\nSchedule:         %s\n", rate(s.BandwidthKBps), sched)
	if s.Schedule != "" {
		off := rate(s.OffHoursKBps)
		if s.OffHoursKBps == 0 {
			off = "no downloads"
		}
		fmt.Fprintf(out, "Outside schedule: %s\n", off)
	}
	fmt.Fprintf(out, "Pause on battery: %v\nPause on metered: %v\nDisplay name:     %q (on the board: %v)\n",
		s.PauseOnBattery, s.PauseOnMetered, s.DisplayName, s.ShowOnBoard)
	fmt.Fprintf(out, "Start at login:   %v\nVerify every:     %d days\nVerify at most:   %s\n", s.StartAtLogin, s.VerifyEveryDays, rate(s.VerifyKBps))
	fmt.Fprintf(out, "Help restores at any time: %v\n", !s.RestoreInScheduleOnly)
	fmt.Fprint(out, placementLines(s))
	if changed && local != nil {
		fmt.Fprintln(out, notRunningNote(h))
	}
	return nil
}

// lastLoginMessage is what the agent said when it set up (or removed)
// the start at login: a service, or the autostart entry where no service
// manager exists.
func lastLoginMessage(ctx context.Context, api control.API) string {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	evs, err := api.Events(ctx)
	if err != nil {
		return ""
	}
	msg := ""
	for {
		select {
		case ev, ok := <-evs:
			if !ok {
				return msg
			}
			if strings.Contains(ev.Message, "at login") || strings.Contains(ev.Message, "log in") {
				msg = ev.Message
			}
		case <-time.After(200 * time.Millisecond):
			return msg // the history came first; nothing newer is needed
		}
	}
}
