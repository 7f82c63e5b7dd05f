// Package version is the one place both binaries (shardkeeper and
// shardhub) and the agent's control API take their version from.
//
// The release number lives in the VERSION file at the top of the
// repository; `make` passes it (with git's commit when the tree is not at
// the tag v<VERSION>, see scripts/version.sh) as
//
//	-ldflags "-X github.com/shardkeeper/shardkeeper/internal/version.Version=..."
//
// A plain `go build` leaves Version empty: String then says "dev" and the
// commit Go recorded, so a self-built binary never claims a release.
package version

import (
	"runtime/debug"
	"strings"
)

// Version is set at link time; empty in a plain `go build`.
var Version = ""

// String is the version to show: the linked one, else the module's version
// (go install ...@vX), else "dev" with the commit when Go recorded one.
func String() string {
	if Version != "" {
		return Version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	return fromBuildInfo(info)
}

func fromBuildInfo(info *debug.BuildInfo) string {
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return strings.TrimPrefix(v, "v")
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = ".dirty"
			}
		}
	}
	if len(rev) > 7 {
		rev = rev[:7]
	}
	if rev == "" {
		return "dev"
	}
	return "dev+g" + rev + dirty
}
