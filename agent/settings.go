package agent

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/agent/hubclient"
)

// DefaultVerifyEveryDays is how often held files are verified.
const DefaultVerifyEveryDays = 30

// LoadSettings reads the donor's settings; before the first change they
// come from the join (the budget given then is the "use at most" limit).
func LoadSettings(h home.Home, cfg home.Config) (control.Settings, error) {
	s := control.Settings{KeepRemovedFiles: true}
	err := home.ReadJSON(h.SettingsPath(), &s)
	if errors.Is(err, fs.ErrNotExist) {
		s = control.Settings{Limits: control.Limits{MaxBytes: cfg.BudgetBytes}, DisplayName: cfg.Name, KeepRemovedFiles: true}
		err = nil
	}
	if s.VerifyEveryDays <= 0 {
		s.VerifyEveryDays = DefaultVerifyEveryDays
	}
	return s, err
}

// SaveSettings checks and writes the settings.
func SaveSettings(h home.Home, s control.Settings) error {
	if err := CheckSettings(s); err != nil {
		return err
	}
	return home.WriteJSON(h.SettingsPath(), s)
}

// CheckSettings refuses settings the agent cannot follow.
func CheckSettings(s control.Settings) error {
	if err := CheckLimits(s.Limits); err != nil {
		return err
	}
	if s.BandwidthKBps < 0 || s.OffHoursKBps < 0 || s.VerifyKBps < 0 {
		return control.Invalidf("bandwidth cannot be negative")
	}
	if _, _, err := parseSchedule(s.Schedule); err != nil {
		return err
	}
	if s.VerifyEveryDays < 0 {
		return control.Invalidf("verify_every_days cannot be negative")
	}
	return checkPlacement(s)
}

// Settings returns the donor's settings.
func (a *Agent) Settings(ctx context.Context) (control.Settings, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.settings, nil
}

// UpdateSettings saves new settings and applies them at once: new limits
// give space back like SetBudget, a new rate or schedule applies to the
// transfers under way.
func (a *Agent) UpdateSettings(ctx context.Context, s control.Settings) error {
	if s.VerifyEveryDays == 0 {
		s.VerifyEveryDays = DefaultVerifyEveryDays
	}
	a.mu.Lock()
	old := a.settings
	a.mu.Unlock()
	if s.StartAtLogin != old.StartAtLogin && a.opts.StartAtLogin != nil {
		msg, err := a.opts.StartAtLogin(s.StartAtLogin)
		if err != nil {
			return fmt.Errorf("start at login: %w", err)
		}
		a.emit(control.Event{Kind: control.EventHub, Message: msg})
	}
	if err := SaveSettings(a.home, s); err != nil {
		return err
	}
	a.mu.Lock()
	a.settings = s
	a.mu.Unlock()
	a.log.Info("settings changed", "bandwidth_kbps", s.BandwidthKBps, "schedule", s.Schedule,
		"off_hours_kbps", s.OffHoursKBps, "pause_on_battery", s.PauseOnBattery, "pause_on_metered", s.PauseOnMetered)
	if s.Limits != old.Limits {
		a.limitsChanged(old.Limits, s.Limits)
	}
	if s.DisplayName != old.DisplayName || s.ShowOnBoard != old.ShowOnBoard {
		go a.tellHubProfile(s.DisplayName, s.ShowOnBoard)
	}
	a.placementChanged(old, s)
	a.applyPolicy()
	return nil
}

// tellHubProfile updates the donor's public record on the hub.
func (a *Agent) tellHubProfile(name string, show bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := a.hub.UpdateDonor(ctx, a.cfg.DonorUUID, a.cfg.Token, name, show)
	switch {
	case errors.Is(err, hubclient.ErrNotSupported):
		a.emit(control.Event{Kind: control.EventHub, Message: "The hub does not take display names yet"})
	case err != nil:
		a.emit(control.Event{Kind: control.EventHub, Message: "Could not update your name on the hub: " + err.Error()})
	}
}
