package agent

import (
	"context"
	"fmt"
	"strings"

	"github.com/shardkeeper/shardkeeper/agent/annexproc"
)

// restate records "this donor verified KEY now" where the hub can read
// it: the donor's own location-log line for each key, with a fresh
// timestamp. This git-annex writes nothing for `setpresentkey KEY UUID 1`
// when the key is already present, so each key is set missing, then
// present (only the newest line per UUID is kept), and `git annex merge`
// commits the journal; the next push carries it to the hub.
func (a *Agent) restate(ctx context.Context, r *annexproc.Repo, keys []string) error {
	var in strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&in, "%s %s 0\n%s %s 1\n", k, a.cfg.DonorUUID, k, a.cfg.DonorUUID)
	}
	if _, err := r.Annex(ctx, strings.NewReader(in.String()), "setpresentkey", "--batch"); err != nil {
		return fmt.Errorf("re-state verified keys: %w", err)
	}
	if _, err := r.Annex(ctx, nil, "merge", "--quiet"); err != nil {
		return fmt.Errorf("commit the verification times: %w", err)
	}
	return nil
}
