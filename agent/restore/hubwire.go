// Package restore is the donor's side of restores and fire drills: the hub
// asks for files back, the agent uploads the ones it holds through a
// git-annex external special remote (this binary run as
// git-annex-remote-shardkeeper), so git-annex's own location tracking
// records the copy at the hub's restore remote. See docs/restore.md.
package restore

import (
	"github.com/shardkeeper/shardkeeper/agent/hubclient"
	"github.com/shardkeeper/shardkeeper/internal/restoreapi"
)

// The hub's restore API: agent/hubclient's Restores speaks it, with the
// wire types of internal/restoreapi; these names are the ones this package
// speaks in.
type (
	Client    = hubclient.Restores
	Request   = restoreapi.Request
	Requests  = restoreapi.Requests
	PutResult = restoreapi.PutResult
)

// Upload states the hub answers with.
const (
	StateVerified          = restoreapi.StateVerified
	StateUploaded          = restoreapi.StateUploaded
	StateVerifiedSingleMD5 = restoreapi.StateVerifiedSingleMD5
)

// ErrNotSupported: the hub has no restore endpoints (an older hub).
var ErrNotSupported = hubclient.ErrNoRestores

// NewClient checks the hub URL (hubclient.NewRestores).
var NewClient = hubclient.NewRestores

// StatusOf is the HTTP status of a hub refusal (0: not one).
var StatusOf = hubclient.StatusOf
