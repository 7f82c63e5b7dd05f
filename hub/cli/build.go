package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/dustin/go-humanize"
	"github.com/shardkeeper/shardkeeper/hub/manifest"
	"github.com/shardkeeper/shardkeeper/hub/shard"
	"github.com/shardkeeper/shardkeeper/internal/words"
	"github.com/spf13/cobra"
)

type buildOptions struct {
	fromDir, baseURL, out         string
	md5Table, urlTemplate, prefix string
	filesPerShard, itemDepth      int
	maxShardSize                  string
	strict, json                  bool
	collection, description       string
	prefixSet, itemDepthSet       bool
}

func newBuildCmd() *cobra.Command {
	var o buildOptions
	cmd := &cobra.Command{
		Use:   "build (MANIFEST | --from-dir DIR --base-url URL | --md5-table TABLE --url-template T) --out DATA",
		Short: "Cut a collection into shard repositories, or update them",
		Long: `build reads a collection and writes its shards into the data directory DATA:
DATA/shards/shard-0001.git, ... (bare git-annex repositories whose files are
downloadable from the archive's URLs), the catalog DATA/shards.json, and the
index of which item and file is where (DATA/items.json, DATA/index/).

The collection is one of:
  MANIFEST       CSV with a header row, or JSON lines, with the fields path,
                 size, url and sha256 and/or md5 (SHA-256 is preferred: MD5
                 collisions can be forged). Other columns are ignored, with a
                 warning.
  --from-dir     a local directory whose files the archive serves under
                 --base-url (every file is hashed).
  --md5-table    a table with the columns id, md5, size, extension (and
                 sha256 when known), CSV or TSV, of a thousand-dir
                 collection: file id N is at PREFIX/D/N.EXT where D is
                 floor(N/1000)*1000. --url-template makes each file's URL
                 from the placeholders {id} {md5} {dir} {ext} {size}.

An item is never split across shards: the top-level directory of a path
(--item-depth sets how many levels), or for --md5-table the thousand-dir
(repository/123000). A shard takes items until the next would pass
--files-per-shard or --max-shard-size; an item bigger than that gets a shard
of its own.

Building into a DATA that has shards updates them: items stay in their
shard, new items fill the last shard and then new ones, and each changed
shard gets a new commit on both branches (donors' clones fast-forward;
history is never rewritten). Bad rows are skipped and reported with their
line numbers (--strict stops at the first); the build fails when every row
is bad.`,
		Example: `  shardhub build collection.csv --out /srv/shardhub
  shardhub build collection.jsonl --out /srv/shardhub --files-per-shard 20000 --max-shard-size 500GiB
  shardhub build --from-dir /srv/www/files --base-url https://archive.example/files --out /srv/shardhub
  shardhub build --md5-table comics.tsv --url-template 'https://archive.example/repository/{dir}/{id}.{ext}' --out /srv/shardhub --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.prefixSet, o.itemDepthSet = cmd.Flags().Changed("path-prefix"), cmd.Flags().Changed("item-depth")
			return o.run(cmd, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.fromDir, "from-dir", "", "build from the files under `DIR` instead of a manifest (needs --base-url)")
	f.StringVar(&o.baseURL, "base-url", "", "`URL` the archive serves --from-dir at; file paths are appended")
	f.StringVar(&o.out, "out", "", "data directory `DATA` to write shards to (built again: updated in place)")
	f.IntVar(&o.filesPerShard, "files-per-shard", shard.DefaultFilesPerShard, "most files (paths) in one shard")
	addBuildFlags(f, &o)
	cmd.MarkFlagRequired("out")
	return cmd
}

// run reads the collection, builds, and reports.
func (o *buildOptions) run(cmd *cobra.Command, args []string) error {
	maxBytes, err := o.check(args)
	if err != nil {
		return err
	}
	// What a build keeps per file is hashes (no pointers: the collector
	// never scans them), so a low GC target costs little CPU and keeps the
	// peak near the live heap: 134 MB instead of 203 MB at 2M files.
	defer debug.SetGCPercent(debug.SetGCPercent(25))
	in := o.source(args, cmd.ErrOrStderr())
	in.src = counted(in.src, cmd.ErrOrStderr())
	rep, buildErr := shard.BuildFrom(cmd.Context(), in.src, shard.Options{
		DataDir:       o.out,
		FilesPerShard: o.filesPerShard,
		MaxShardBytes: maxBytes,
		Collection:    o.collection,
		Description:   o.description,
		Progress:      func(s string) { fmt.Fprintln(cmd.ErrOrStderr(), s) },
	})
	if rep == nil {
		rep = &shard.Report{Shards: []shard.ShardReport{}, Duplicates: []shard.Duplicate{}}
	}
	rep.Warnings = append(append([]string{}, in.read.Warnings...), rep.Warnings...)
	if rep.Rejected = in.read.Rejected; rep.Rejected == nil {
		rep.Rejected = []manifest.Rejected{}
	}
	if o.json && (buildErr == nil || len(rep.Rejected) > 0) {
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	}
	if buildErr != nil {
		return buildErr
	}
	if !o.json {
		printReport(cmd.OutOrStdout(), o.out, rep)
	}
	return nil
}

// check validates the flags and returns --max-shard-size in bytes.
func (o *buildOptions) check(args []string) (int64, error) {
	inputs := 0
	for _, given := range []bool{len(args) == 1, o.fromDir != "", o.md5Table != ""} {
		if given {
			inputs++
		}
	}
	switch {
	case o.filesPerShard < 1:
		return 0, errors.New("--files-per-shard must be at least 1")
	case o.itemDepth < 1:
		return 0, errors.New("--item-depth must be at least 1")
	case inputs > 1:
		return 0, errors.New("give one collection, not both: a MANIFEST, --from-dir DIR or --md5-table TABLE")
	case inputs == 0:
		return 0, errors.New("nothing to build: give a MANIFEST file, --from-dir DIR --base-url URL, or --md5-table TABLE --url-template T")
	case o.baseURL != "" && o.fromDir == "":
		return 0, errors.New("--base-url goes with --from-dir; a manifest has a url per file")
	case o.fromDir != "" && o.baseURL == "":
		return 0, errors.New("--from-dir needs --base-url, the URL the archive serves that directory at")
	case o.md5Table != "" && o.urlTemplate == "":
		return 0, errors.New("--md5-table needs --url-template, e.g. 'https://archive.example/repository/{dir}/{id}.{ext}'")
	case o.md5Table == "" && (o.urlTemplate != "" || o.prefixSet):
		return 0, errors.New("--url-template and --path-prefix go with --md5-table")
	case o.md5Table != "" && o.itemDepthSet:
		return 0, errors.New("--item-depth does not apply to --md5-table: its items are the thousand-dirs")
	}
	n, err := words.ParseSize(o.maxShardSize)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("--max-shard-size %q is not a size such as 4TB or 500GiB", o.maxShardSize)
	}
	return n, nil
}

// input is the collection as a shard.Source, and what reading it found.
type input struct {
	src  shard.Source
	read manifest.Report
}

// source reads the collection from the manifest, table or directory given.
func (o *buildOptions) source(args []string, progress io.Writer) *input {
	in := &input{}
	opts := manifest.Options{Strict: o.strict, ItemDepth: o.itemDepth}
	keep := func(rep *manifest.Report) {
		if rep != nil {
			in.read = *rep
		}
	}
	switch {
	case len(args) == 1:
		in.src = func(add func(manifest.Entry) error) error {
			rep, err := manifest.Scan(args[0], opts, add)
			keep(rep)
			return err
		}
	case o.md5Table != "":
		table := manifest.MD5Table{URLTemplate: o.urlTemplate}
		if o.prefixSet {
			table.PathPrefix = &o.prefix
		}
		in.src = func(add func(manifest.Entry) error) error {
			rep, err := manifest.ScanMD5Table(o.md5Table, table, opts, add)
			keep(rep)
			return err
		}
	default:
		in.src = func(add func(manifest.Entry) error) error {
			entries, err := o.scanDir(progress)
			if err != nil {
				return err
			}
			for _, e := range entries {
				e.Item = manifest.ItemOf(e.Path, o.itemDepth)
				if err := add(e); err != nil {
					return err
				}
			}
			return nil
		}
	}
	return in
}

func (o *buildOptions) scanDir(progress io.Writer) ([]manifest.Entry, error) {
	var files int
	var size int64
	return manifest.FromDirProgress(o.fromDir, o.baseURL, func(e manifest.Entry) {
		files++
		size += e.Size
		if files%1000 == 0 {
			fmt.Fprintf(progress, "hashed %s files (%s)\n", humanize.Comma(int64(files)), humanize.Bytes(uint64(size)))
		}
	})
}

// counted says every 100,000 files how far the reading is: a million-row
// manifest takes a while.
func counted(src shard.Source, progress io.Writer) shard.Source {
	return func(add func(manifest.Entry) error) error {
		n := 0
		return src(func(e manifest.Entry) error {
			if n++; n%100000 == 0 {
				fmt.Fprintf(progress, "read %s files\n", humanize.Comma(int64(n)))
			}
			return add(e)
		})
	}
}
