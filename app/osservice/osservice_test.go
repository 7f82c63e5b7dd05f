//go:build linux

package osservice

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kardianos/service"
)

// forcedSystemd is kardianos' own systemd implementation, detected even in
// a container without systemd, so the real Install code runs.
type forcedSystemd struct{ service.System }

func (forcedSystemd) Detect() bool { return true }

func chooseSystem(t *testing.T, name string) {
	t.Helper()
	prev := service.AvailableSystems()
	var pick service.System
	for _, s := range prev {
		if s.String() == name {
			pick = s
		}
	}
	if pick == nil {
		t.Fatalf("kardianos/service has no %s system", name)
	}
	service.ChooseSystem(forcedSystemd{pick})
	t.Cleanup(func() { service.ChooseSystem(prev...) })
}

// fakeSystemctl puts a systemctl first on PATH that logs its arguments
// and answers is-active like an active unit.
func fakeSystemctl(t *testing.T) (logPath string) {
	t.Helper()
	bin := t.TempDir()
	logPath = filepath.Join(bin, "calls.log")
	script := "#!/bin/sh\necho \"$@\" >> " + logPath + "\n" +
		"case \"$1\" in is-active) echo active;; --version) echo 'systemd 252';; esac\nexit 0\n"
	if err := os.WriteFile(filepath.Join(bin, "systemctl"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	return logPath
}

func TestSystemdUserServiceInstallAndUninstall(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	calls := fakeSystemctl(t)
	chooseSystem(t, "linux-systemd")

	target := Target{Exe: "/opt/shardkeeper/shardkeeper", Home: "/home/ada/donor 2"}
	m, err := New(target)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Install(); err != nil {
		t.Fatal(err)
	}
	unitPath := filepath.Join(home, ".config/systemd/user", target.Name()+".service")
	unit, err := os.ReadFile(unitPath)
	if err != nil {
		t.Fatalf("no unit file: %v", err)
	}
	for _, want := range []string{
		"WantedBy=default.target",
		`ExecStart=/opt/shardkeeper/shardkeeper "--home" "/home/ada/donor 2" "agent"`,
		"Restart=always",
	} {
		if !strings.Contains(string(unit), want) {
			t.Errorf("unit lacks %q:\n%s", want, unit)
		}
	}
	if strings.Contains(string(unit), "multi-user.target") {
		t.Errorf("unit names multi-user.target, which a user systemd never reaches:\n%s", unit)
	}
	if st, err := m.Status(); err != nil || st != "running" {
		t.Errorf("status %q %v", st, err)
	}
	if err := m.Uninstall(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(unitPath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("unit file left after uninstall: %v", err)
	}
	log, _ := os.ReadFile(calls)
	name := target.Name() + ".service"
	for _, want := range []string{"enable --user " + name, "daemon-reload --user", "is-active " + name + " --user", "disable --user " + name} {
		if !strings.Contains(string(log), want+"\n") {
			t.Errorf("systemctl was not called with %q; calls:\n%s", want, log)
		}
	}
}

func TestNoServiceManagerIsSaidClearly(t *testing.T) {
	chooseSystem(t, "unix-systemv")
	_, err := New(Target{Exe: "/x/shardkeeper", Home: "/x/home"})
	if !errors.Is(err, ErrNoServiceManager) {
		t.Fatalf("err = %v, want ErrNoServiceManager", err)
	}
}

func TestAutostartEntry(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	target := Target{Exe: "/opt/sk/shardkeeper", Home: `/home/a "quoted" $HOME`, DefaultHome: true}
	p, err := InstallAutostart(target)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(p) != "shardkeeper-agent.desktop" {
		t.Errorf("default home's entry is %s", p)
	}
	b, _ := os.ReadFile(p)
	if !strings.Contains(string(b), `Exec="/opt/sk/shardkeeper" "--home" "/home/a \"quoted\" \$HOME" "agent"`) {
		t.Errorf("entry:\n%s", b)
	}
	if err := RemoveAutostart(target); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Error("entry left behind")
	}
}

func TestNamesDifferPerHome(t *testing.T) {
	a, b := Target{Home: "/a"}, Target{Home: "/b"}
	if a.Name() == b.Name() || !strings.HasPrefix(a.Name(), "shardkeeper-agent-") {
		t.Errorf("names %s %s", a.Name(), b.Name())
	}
}
