package ui

import (
	"os"
	"strings"
)

// requiredTools are the programs the agent runs. git-annex needs git.
var requiredTools = []string{"git", "git-annex"}

// missingTools lists the required programs lookPath can't find.
func missingTools(lookPath func(string) (string, error)) []string {
	var missing []string
	for _, t := range requiredTools {
		if _, err := lookPath(t); err != nil {
			missing = append(missing, t)
		}
	}
	return missing
}

// installHint says how to install git-annex (and git) on this system: a
// sentence, and the command to run when there is one.
func installHint(goos, osRelease string) (how, command string) {
	const site = "https://git-annex.branchable.com/install/"
	switch goos {
	case "darwin":
		return "Install it with Homebrew (https://brew.sh), in a Terminal:", "brew install git-annex"
	case "windows":
		return "Install Git for Windows (https://git-scm.com/download/win), then git-annex from " +
			site + "Windows/ , and open Shardkeeper again.", ""
	case "linux":
		ids := osIDs(osRelease)
		pick := func(names ...string) bool {
			for _, n := range names {
				if ids[n] {
					return true
				}
			}
			return false
		}
		switch {
		case pick("debian", "ubuntu"):
			return "Install it from your distribution, in a terminal:", "sudo apt install git-annex"
		case pick("fedora", "rhel", "centos"):
			return "Install it from your distribution, in a terminal:", "sudo dnf install git-annex"
		case pick("arch", "manjaro"):
			return "Install it from your distribution, in a terminal:", "sudo pacman -S git-annex"
		case pick("opensuse", "suse", "opensuse-tumbleweed", "opensuse-leap"):
			return "Install it from your distribution, in a terminal:", "sudo zypper install git-annex"
		case pick("nixos"):
			return "Install it with Nix, in a terminal:", "nix-env -iA nixpkgs.git-annex"
		}
	}
	return "Install git-annex for your system: see " + site, ""
}

// osIDs reads ID and ID_LIKE from /etc/os-release content.
func osIDs(osRelease string) map[string]bool {
	ids := map[string]bool{}
	for _, line := range strings.Split(osRelease, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok || (k != "ID" && k != "ID_LIKE") {
			continue
		}
		for _, id := range strings.Fields(strings.Trim(v, `"'`)) {
			ids[strings.ToLower(id)] = true
		}
	}
	return ids
}

// readOSRelease is /etc/os-release, or "" where there is none.
func readOSRelease() string {
	for _, p := range []string{"/etc/os-release", "/usr/lib/os-release"} {
		if b, err := os.ReadFile(p); err == nil {
			return string(b)
		}
	}
	return ""
}
