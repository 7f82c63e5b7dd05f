package app

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/shardkeeper/shardkeeper/agent"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/internal/region"
)

// regionList names the regions a donor may choose, the suggestion for
// this computer first.
func regionList() string {
	s := strings.Join(annex.Regions, ", ")
	if r := region.Local(); r != "" {
		s += "; your time zone suggests " + r
	}
	return s
}

// parseMaxFile reads --max-file-size ("" or "0": no opt-in).
func parseMaxFile(s string) (int64, error) {
	if s == "" || s == "0" {
		return 0, nil
	}
	n, err := agent.ParseSize(s)
	if err != nil {
		return 0, fmt.Errorf("--max-file-size: %w", err)
	}
	return n, nil
}

// placementFlags are the settings of collections, regions and large files.
type placementFlags struct {
	region, maxFile string
	keepRemoved     bool
}

func (o *placementFlags) add(f *pflag.FlagSet) {
	f.StringVar(&o.region, "region", "", `roughly where you are: `+regionList()+` ("none": not said)`)
	f.StringVar(&o.maxFile, "max-file-size", "", `hold single files up to SIZE, e.g. 500GB, large ones first ("0": no large files)`)
	f.BoolVar(&o.keepRemoved, "keep-removed-files", true, "keep files the archive removed in a rebuild (false: give their space back)")
	// The setting names with underscores work too (region, max_file_size,
	// keep_removed_files).
	f.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		return pflag.NormalizedName(strings.ReplaceAll(name, "_", "-"))
	})
}

// apply changes s by the flags that were given.
func (o *placementFlags) apply(f *pflag.FlagSet, s *control.Settings) (changed bool, err error) {
	if f.Changed("region") {
		s.Region = strings.ToLower(o.region)
		if s.Region == "none" {
			s.Region = ""
		}
		changed = true
	}
	if f.Changed("max-file-size") {
		if s.MaxFileBytes, err = parseMaxFile(o.maxFile); err != nil {
			return false, err
		}
		changed = true
	}
	if f.Changed("keep-removed-files") {
		s.KeepRemovedFiles = o.keepRemoved
		changed = true
	}
	return changed, nil
}

// placementLines are the settings output's lines for these settings.
func placementLines(s control.Settings) string {
	r := s.Region
	if r == "" {
		r = "not said"
		if sug := region.Local(); sug != "" {
			r += " (your time zone suggests " + sug + ")"
		}
	}
	large := "no (files larger than your free room are left to others)"
	if s.MaxFileBytes > 0 {
		large = "up to " + agent.FormatSize(s.MaxFileBytes) + " per file, large ones first"
	}
	removed := "keep them"
	if !s.KeepRemovedFiles {
		removed = "give their space back"
	}
	return fmt.Sprintf("Region:           %s\nLarge files:      %s\nRemoved items:    %s\n", r, large, removed)
}
