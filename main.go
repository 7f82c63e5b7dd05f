// Command shardkeeper is the donor's side of Shardkeeper: a desktop app and
// agent that keep a slice of a public archive on this computer.
package main

import (
	"os"

	"github.com/shardkeeper/shardkeeper/app"
)

func main() {
	os.Exit(app.Main(os.Args[1:], os.Stdout, os.Stderr))
}
