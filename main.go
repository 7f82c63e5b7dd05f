// Command shardkeeper is the donor's side of Shardkeeper: a desktop app and
// agent that keep a slice of a public archive on this computer.
package main

import (
	"os"

	"github.com/shardkeeper/shardkeeper/agent/restore"
	"github.com/shardkeeper/shardkeeper/app"
)

func main() {
	// git-annex runs this binary as git-annex-remote-shardkeeper, the
	// external special remote that sends files back for a restore.
	if restore.IsRemoteProgram(os.Args[0]) {
		os.Exit(restore.RemoteMain(os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(app.Main(os.Args[1:], os.Stdout, os.Stderr))
}
