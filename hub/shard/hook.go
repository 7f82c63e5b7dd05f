package shard

import (
	"os"
	"path/filepath"
)

// preReceive lets an authenticated donor update only its own git-annex ref.
// The server sets SHARDHUB_DONOR_UUID for authenticated pushes only.
// Auditing what the donor's ref says comes later.
const preReceive = `#!/bin/sh
# Installed by shardhub: a donor may update only its own git-annex ref.
if [ -z "$SHARDHUB_DONOR_UUID" ]; then
	echo "shardhub: pushing needs a donor token; register with the hub and push with it" >&2
	exit 1
fi
allowed="refs/heads/donors/$SHARDHUB_DONOR_UUID/git-annex"
status=0
while read -r old new ref; do
	if [ "$ref" != "$allowed" ]; then
		echo "shardhub: refusing $ref: a donor may push only to $allowed" >&2
		status=1
	else
		case "$new" in
		*[!0]*) ;;
		*) echo "shardhub: refusing to delete $ref" >&2; status=1 ;;
		esac
	fi
done
exit $status
`

func installHook(repoDir string) error {
	hooks := filepath.Join(repoDir, "hooks") // absent when git has no templates
	if err := os.MkdirAll(hooks, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(hooks, "pre-receive"), []byte(preReceive), 0o755)
}
