// Package restore is the donor's side of restores and fire drills: the hub
// asks for files back, the agent uploads the ones it holds through a
// git-annex external special remote (this binary run as
// git-annex-remote-shardkeeper), so git-annex's own location tracking
// records the copy at the hub's restore remote. See docs/restore.md.
package restore

import "github.com/shardkeeper/shardkeeper/agent/hubclient"

// The hub's restore API is agent/hubclient's (Restores); these names are
// the ones this package speaks in.
type (
	Client    = hubclient.Restores
	Request   = hubclient.RestoreRequest
	Requests  = hubclient.RestoreRequests
	PutResult = hubclient.PutResult
)

// Upload states the hub answers with.
const (
	StateVerified          = hubclient.StateVerified
	StateUploaded          = hubclient.StateUploaded
	StateVerifiedSingleMD5 = hubclient.StateVerifiedSingleMD5
)

// ErrNotSupported: the hub has no restore endpoints (an older hub).
var ErrNotSupported = hubclient.ErrNoRestores

// NewClient checks the hub URL (hubclient.NewRestores).
var NewClient = hubclient.NewRestores

// StatusOf is the HTTP status of a hub refusal (0: not one).
var StatusOf = hubclient.StatusOf
