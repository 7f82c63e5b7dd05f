package version

import (
	"runtime/debug"
	"testing"
)

func TestString(t *testing.T) {
	old := Version
	t.Cleanup(func() { Version = old })
	Version = "1.2.3"
	if got := String(); got != "1.2.3" {
		t.Errorf("linked version: %q", got)
	}
}

func TestFromBuildInfo(t *testing.T) {
	for _, tc := range []struct {
		main     string
		settings []debug.BuildSetting
		want     string
	}{
		{"v0.3.0", nil, "0.3.0"},
		{"(devel)", nil, "dev"},
		{"(devel)", []debug.BuildSetting{{Key: "vcs.revision", Value: "485524c0123456789"}}, "dev+g485524c"},
		{"", []debug.BuildSetting{{Key: "vcs.revision", Value: "485524c0123"}, {Key: "vcs.modified", Value: "true"}}, "dev+g485524c.dirty"},
	} {
		info := &debug.BuildInfo{Main: debug.Module{Version: tc.main}, Settings: tc.settings}
		if got := fromBuildInfo(info); got != tc.want {
			t.Errorf("%q %v: %q, want %q", tc.main, tc.settings, got, tc.want)
		}
	}
}
