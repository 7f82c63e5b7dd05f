package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/dustin/go-humanize"
	"github.com/shardkeeper/shardkeeper/hub/manifest"
	"github.com/shardkeeper/shardkeeper/hub/shard"
	"github.com/spf13/cobra"
)

type buildOptions struct {
	fromDir, baseURL, out string
	filesPerShard         int
}

func newBuildCmd() *cobra.Command {
	var o buildOptions
	cmd := &cobra.Command{
		Use:   "build (MANIFEST | --from-dir DIR --base-url URL) --out DATA",
		Short: "Cut a collection into shard repositories",
		Long: `build reads a collection and writes its shards into the data directory DATA:
DATA/shards/shard-0001.git, ... (bare git-annex repositories whose files are
downloadable from the archive's URLs) and the catalog DATA/shards.json.

The collection is either a MANIFEST, CSV with a header row or JSON lines, with
the fields path, size, url and sha256 and/or md5 (SHA-256 is preferred: MD5
collisions can be forged), or a local directory (--from-dir) whose files the
archive serves under --base-url.

Shards are consecutive groups of at most --files-per-shard files, in manifest
order. DATA must not hold shards yet.`,
		Example: `  shardhub build collection.csv --out /srv/shardhub
  shardhub build collection.jsonl --out /srv/shardhub --files-per-shard 20000
  shardhub build --from-dir /srv/www/files --base-url https://archive.example/files --out /srv/shardhub`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			entries, err := o.load(args, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			infos, err := shard.Build(cmd.Context(), entries, shard.Options{
				DataDir:       o.out,
				FilesPerShard: o.filesPerShard,
				Progress:      func(s string) { fmt.Fprintln(cmd.ErrOrStderr(), s) },
			})
			if err != nil {
				return err
			}
			printSummary(cmd.OutOrStdout(), o.out, infos)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.fromDir, "from-dir", "", "build from the files under `DIR` instead of a manifest (needs --base-url)")
	f.StringVar(&o.baseURL, "base-url", "", "`URL` the archive serves --from-dir at; file paths are appended")
	f.StringVar(&o.out, "out", "", "data directory `DATA` to write shards to (must not hold shards yet)")
	f.IntVar(&o.filesPerShard, "files-per-shard", shard.DefaultFilesPerShard, "most files in one shard")
	cmd.MarkFlagRequired("out")
	return cmd
}

// load reads the collection from the manifest or the directory given.
func (o buildOptions) load(args []string, progress io.Writer) ([]manifest.Entry, error) {
	switch {
	case o.filesPerShard < 1:
		return nil, errors.New("--files-per-shard must be at least 1")
	case len(args) == 1 && o.fromDir != "":
		return nil, errors.New("give either a MANIFEST or --from-dir, not both")
	case len(args) == 1:
		if o.baseURL != "" {
			return nil, errors.New("--base-url goes with --from-dir; a manifest has a url per file")
		}
		return manifest.Load(args[0])
	case o.fromDir == "":
		return nil, errors.New("nothing to build: give a MANIFEST file, or --from-dir DIR --base-url URL")
	case o.baseURL == "":
		return nil, errors.New("--from-dir needs --base-url, the URL the archive serves that directory at")
	}
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

func printSummary(w io.Writer, out string, infos []shard.Info) {
	var files, paths, md5Only int
	var bytes int64
	for _, info := range infos {
		files += info.Files
		paths += info.Paths
		md5Only += info.MD5OnlyKeys
		bytes += info.Bytes
	}
	fmt.Fprintf(w, "Built %d shards in %s: %s files (%s paths), %s, %s md5-only keys.\n",
		len(infos), out, humanize.Comma(int64(files)), humanize.Comma(int64(paths)), humanize.Bytes(uint64(bytes)), humanize.Comma(int64(md5Only)))
	if md5Only > 0 {
		fmt.Fprintln(w, "Files known only by MD5 are weaker against forgery: add sha256 to the manifest where you can.")
	}
	fmt.Fprintf(w, "Serve them with: shardhub serve --data %s\n", out)
}
