package ui

import (
	"errors"
	"reflect"
	"testing"
)

func TestMissingTools(t *testing.T) {
	only := func(have ...string) func(string) (string, error) {
		return func(name string) (string, error) {
			for _, h := range have {
				if h == name {
					return "/usr/bin/" + name, nil
				}
			}
			return "", errors.New("not found")
		}
	}
	if got := missingTools(only("git", "git-annex")); got != nil {
		t.Errorf("all there: missing %q", got)
	}
	if got := missingTools(only("git")); !reflect.DeepEqual(got, []string{"git-annex"}) {
		t.Errorf("missing %q, want git-annex", got)
	}
}

func TestInstallHint(t *testing.T) {
	for _, tc := range []struct {
		goos, release, cmd string
	}{
		{"linux", "ID=debian\nVERSION_ID=\"12\"", "sudo apt install git-annex"},
		{"linux", "ID=linuxmint\nID_LIKE=\"ubuntu debian\"", "sudo apt install git-annex"},
		{"linux", "ID=fedora", "sudo dnf install git-annex"},
		{"linux", "ID=\"opensuse-tumbleweed\"\nID_LIKE=\"opensuse suse\"", "sudo zypper install git-annex"},
		{"linux", "ID=arch", "sudo pacman -S git-annex"},
		{"darwin", "", "brew install git-annex"},
		{"linux", "ID=gentoo", ""},
		{"windows", "", ""},
	} {
		how, cmd := installHint(tc.goos, tc.release)
		if cmd != tc.cmd || how == "" {
			t.Errorf("%s %q: %q %q, want command %q", tc.goos, tc.release, how, cmd, tc.cmd)
		}
	}
	if how, _ := installHint("windows", ""); how != "Install Git for Windows (https://git-scm.com/download/win), then git-annex from https://git-annex.branchable.com/install/Windows/ , and open Shardkeeper again." {
		t.Errorf("windows: %q", how)
	}
}
