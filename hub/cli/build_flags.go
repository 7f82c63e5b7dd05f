package cli

import (
	"github.com/shardkeeper/shardkeeper/hub/manifest"
	"github.com/spf13/pflag"
)

// addBuildFlags adds the build flags beyond the first release's: the
// thousand-dir input, the size limit, items, and the report.
func addBuildFlags(f *pflag.FlagSet, o *buildOptions) {
	f.StringVar(&o.md5Table, "md5-table", "", "build from an MD5 `TABLE` (columns id,md5,size,extension; CSV or TSV) of a thousand-dir collection")
	f.StringVar(&o.urlTemplate, "url-template", "", "URL `TEMPLATE` of an --md5-table file: {id} {md5} {dir} {ext} {size} are replaced")
	f.StringVar(&o.prefix, "path-prefix", manifest.DefaultPathPrefix, "`DIR` the thousand-dirs of an --md5-table sit in within a shard (\"\" for none)")
	f.StringVar(&o.maxShardSize, "max-shard-size", "4TB", "most bytes in one shard: a `SIZE` such as 4TB, 500GiB")
	f.IntVar(&o.itemDepth, "item-depth", 1, "leading path components that name an item, which is never split across shards (MANIFEST and --from-dir)")
	f.BoolVar(&o.strict, "strict", false, "fail on the first bad row instead of skipping it")
	f.BoolVar(&o.json, "json", false, "print the report as JSON")
	f.StringVar(&o.collection, "collection", manifest.DefaultCollection, "`NAME` of the collection the files belong to (a manifest's \"collection\" column overrides it per row); only its shards are updated")
	f.StringVar(&o.description, "description", "", "`TEXT` describing the --collection to donors choosing one")
}
