package agent

import "github.com/shardkeeper/shardkeeper/agent/storage"

// Storage folders are agent/storage; these names stay for the CLI.
const (
	MarkerName            = storage.MarkerName
	DefaultStoragePercent = storage.DefaultStoragePercent
)

// AddStorage and RemoveStorage change the storage folders in a home
// (`shardkeeper storage add` and `remove` without a running agent).
var (
	AddStorage    = storage.Add
	RemoveStorage = storage.Remove
)
