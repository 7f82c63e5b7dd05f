//go:build windows

package osservice

import (
	"fmt"
	"os/exec"
	"strings"

	"golang.org/x/sys/windows/registry"
)

// runKey starts the agent at login through HKCU\...\Run: kardianos/service
// ignores UserService on Windows and installs a system-wide service, which
// needs admin rights donors may not have.
type runKey struct{ t Target }

func platformManager(t Target) manager { return runKey{t} }

const runPath = `Software\Microsoft\Windows\CurrentVersion\Run`

func (r runKey) command() string {
	parts := []string{`"` + r.t.Exe + `"`}
	for _, a := range r.t.args() {
		parts = append(parts, `"`+strings.ReplaceAll(a, `"`, `\"`)+`"`)
	}
	return strings.Join(parts, " ")
}

func (r runKey) Install() error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, runPath, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("open the Run key: %w", err)
	}
	defer k.Close()
	return k.SetStringValue(r.t.Name(), r.command())
}

func (r runKey) Uninstall() error {
	k, err := registry.OpenKey(registry.CURRENT_USER, runPath, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("open the Run key: %w", err)
	}
	defer k.Close()
	return k.DeleteValue(r.t.Name())
}

func (r runKey) Start() error {
	cmd := exec.Command(r.t.Exe, r.t.args()...)
	return cmd.Start()
}

func (r runKey) Stop() error {
	return fmt.Errorf("stop the agent with `shardkeeper pause`, or quit it from the tray")
}

func (r runKey) Status() (string, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, runPath, registry.QUERY_VALUE)
	if err != nil {
		return "not installed", nil
	}
	defer k.Close()
	if _, _, err := k.GetStringValue(r.t.Name()); err != nil {
		return "not installed", nil
	}
	return "installed (starts at login)", nil
}
