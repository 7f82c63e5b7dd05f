package app

import (
	"errors"
	"fmt"

	"github.com/shardkeeper/shardkeeper/app/osservice"
)

// startAtLogin is the agent's hook for the start_at_login setting: it
// installs (or removes) the per-user service, or where no service manager
// exists the desktop autostart entry, and says which. It never starts or
// stops the service: the agent that asks is already running.
func startAtLogin(g *globals) func(on bool) (string, error) {
	return func(on bool) (string, error) {
		t, err := serviceTarget(g)
		if err != nil {
			return "", err
		}
		m, merr := osservice.New(t)
		noManager := errors.Is(merr, osservice.ErrNoServiceManager)
		if merr != nil && !noManager {
			return "", merr
		}
		if !on {
			osservice.RemoveAutostart(t)
			if m != nil {
				if err := m.Uninstall(); err != nil {
					return "", fmt.Errorf("remove the service %s: %w", t.Name(), err)
				}
			}
			return "The agent no longer starts at login.", nil
		}
		if noManager {
			p, err := osservice.InstallAutostart(t)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("No service manager here: the agent starts when you log in to your desktop instead (%s).", p), nil
		}
		if err := m.Install(); err != nil {
			return "", fmt.Errorf("install the service %s: %w", t.Name(), err)
		}
		return fmt.Sprintf("The agent starts at login (service %s).", t.Name()), nil
	}
}
