package control

// Cause is why something went wrong, as a value the UI can act on (Event.Cause):
// the agent, which sees the error, names it; the UI says what it means for
// the donor and never reads error text.
type Cause string

// Causes of error events. "" is a cause the agent could not name.
const (
	CauseDiskFull    Cause = "disk_full"    // the drive is full
	CausePermission  Cause = "permission"   // may not write to the storage folder
	CauseNetwork     Cause = "network"      // the archive's servers cannot be reached
	CauseGone        Cause = "gone"         // the archive no longer offers the file
	CauseDamaged     Cause = "damaged"      // a download arrived damaged
	CauseTool        Cause = "tool"         // git-annex is missing or failed
	CauseStorageGone Cause = "storage_gone" // a storage folder is missing (drive unplugged)
)
