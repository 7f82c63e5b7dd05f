// Package osservice installs the donor's agent as a per-user OS service so it
// runs at login and keeps running: a systemd user unit on Linux, a
// LaunchAgent on macOS (both through kardianos/service), and on Windows an
// HKCU Run value (a per-user service needs no admin rights only that way).
// Where no service manager exists, it says so and offers an autostart entry.
package osservice

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/kardianos/service"
)

// Target is the agent to run at login.
type Target struct {
	Exe         string // absolute path of the shardkeeper binary
	Home        string // absolute path of the donor's home
	DefaultHome bool   // the home used when --home is not given
}

// Name is the service's name. Every home gets its own service, so several
// donors on one machine each have an agent; the default home keeps the
// plain name people will look for.
func (t Target) Name() string {
	if t.DefaultHome {
		return "shardkeeper-agent"
	}
	sum := sha256.Sum256([]byte(t.Home))
	return "shardkeeper-agent-" + hex.EncodeToString(sum[:4])
}

// args is the agent's command line.
func (t Target) args() []string { return []string{"--home", t.Home, "agent"} }

// systemdUnit is our unit: the library's default names multi-user.target,
// which a user's systemd never reaches, so the service would never start at
// login. The template uses kardianos' own engine ({{Key}}, not {{.Key}}).
const systemdUnit = `[Unit]
Description={{Description}}
ConditionFileIsExecutable={{Path | cmdEscape}}

[Service]
ExecStart={{Path | cmdEscape}}{{range Arguments}} {{. | cmd}}{{end}}
Restart=always
RestartSec=60
Nice=10
IOSchedulingClass=idle

[Install]
WantedBy=default.target
`

// ErrNoServiceManager means this system has no service manager for
// per-user services (a container, or a Linux without systemd).
var ErrNoServiceManager = errors.New("no service manager for per-user services was found on this system (no systemd user session)")

func (t Target) config() *service.Config {
	return &service.Config{
		Name:        t.Name(),
		DisplayName: "Shardkeeper agent",
		Description: "Shardkeeper: keeps a slice of a public archive on this computer (home " + t.Home + ")",
		Executable:  t.Exe,
		Arguments:   t.args(),
		Option: service.KeyValue{
			"UserService":   true,
			"SystemdScript": systemdUnit,
			"RunAtLoad":     true, // macOS: start at login, not only on demand
			"KeepAlive":     true,
		},
	}
}

// manager is what a platform offers; tests use the real kardianos systemd
// implementation with a fake systemctl.
type manager interface {
	Install() error
	Uninstall() error
	Start() error
	Stop() error
	Status() (string, error)
}

// New picks the platform's way of running the agent at login.
func New(t Target) (manager, error) {
	if !filepath.IsAbs(t.Exe) || !filepath.IsAbs(t.Home) {
		return nil, fmt.Errorf("the service needs absolute paths (got %q and %q)", t.Exe, t.Home)
	}
	if m := platformManager(t); m != nil {
		return m, nil
	}
	if service.ChosenSystem() == nil || service.Platform() == "unix-systemv" {
		return nil, ErrNoServiceManager
	}
	s, err := service.New(noop{}, t.config())
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoServiceManager, err)
	}
	return kardianos{s}, nil
}

// noop satisfies service.Interface: the agent runs as its own process
// (`shardkeeper agent`), so this program never runs inside the service.
type noop struct{}

func (noop) Start(service.Service) error { return nil }
func (noop) Stop(service.Service) error  { return nil }

type kardianos struct{ s service.Service }

func (k kardianos) Install() error   { return k.s.Install() }
func (k kardianos) Uninstall() error { return k.s.Uninstall() }
func (k kardianos) Start() error     { return k.s.Start() }
func (k kardianos) Stop() error      { return k.s.Stop() }

func (k kardianos) Status() (string, error) {
	st, err := k.s.Status()
	if errors.Is(err, service.ErrNotInstalled) {
		return "not installed", nil
	}
	if err != nil {
		return "", err
	}
	switch st {
	case service.StatusRunning:
		return "running", nil
	case service.StatusStopped:
		return "installed, stopped", nil
	}
	return "unknown", nil
}
