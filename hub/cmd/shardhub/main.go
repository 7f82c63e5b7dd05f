// Command shardhub is the archive's side of Shardkeeper: it builds shards,
// registers donors, serves the shard repositories and reports health. The
// commands live in hub/cli.
package main

import (
	"os"

	"github.com/shardkeeper/shardkeeper/hub/cli"
)

func main() {
	done := profile()
	code := cli.Main()
	done()
	os.Exit(code)
}
