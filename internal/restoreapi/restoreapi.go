// Package restoreapi is the restore part of the hub's donor API as it goes
// over the wire (docs/restore.md): the hub (hub/server) answers with these
// types and the donor (agent/hubclient) reads them.
package restoreapi

// Request is one file a donor is asked to upload.
type Request struct {
	ID    string `json:"id"`
	Shard string `json:"shard"`
	Key   string `json:"key"`
	Size  int64  `json:"size"`
	Path  string `json:"path"`
}

// Requests answers GET /api/v1/donors/{uuid}/restores.
type Requests struct {
	RemoteUUIDByShard map[string]string `json:"remote_uuid_by_shard"`
	Requests          []Request         `json:"requests"`
}

// PutResult answers PUT /api/v1/donors/{uuid}/restores/{shard}/{key}.
type PutResult struct {
	State   string `json:"state"` // verified, uploaded or verified_single_md5
	Message string `json:"message"`
}

// Upload states the hub answers with.
const (
	StateVerified          = "verified"
	StateUploaded          = "uploaded" // an MD5-only key waiting for a second donor
	StateVerifiedSingleMD5 = "verified_single_md5"
)
