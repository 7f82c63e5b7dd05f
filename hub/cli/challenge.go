package cli

import (
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/shardkeeper/shardkeeper/hub/health"
	"github.com/shardkeeper/shardkeeper/hub/server"
	"github.com/shardkeeper/shardkeeper/hub/store"
	"github.com/spf13/cobra"
)

type challengeOptions struct {
	data, db, ttl string
}

// newChallengeCmd issues a proof-of-storage challenge now. It writes to
// the registry directly (SQLite allows it beside a running serve), which
// serves the challenge to the donor on its next poll.
func newChallengeCmd() *cobra.Command {
	var o challengeOptions
	cmd := &cobra.Command{
		Use:   "challenge --data DATA [--db URL] DONOR_UUID",
		Short: "Challenge a donor to prove it holds a file, now",
		Long: `challenge picks a random file the donor's location log says it holds, a
random byte range and a fresh nonce, and records the challenge; the donor's
agent answers it on its next cycle (see docs/proof-of-storage.md). A donor
has at most one open challenge. The result shows in the health report's
"donors" section and in serve's log.`,
		Example: `  shardhub challenge --data /srv/shardhub 0b6a3c1e-5d0f-4a43-9a0e-3f3c6d1e2b7a`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.data, "data", "", "data directory `DATA` served by shardhub serve")
	f.StringVar(&o.ttl, "ttl", "24h", "how long the donor has to answer (`DURATION`)")
	addDBFlag(f, &o.db)
	cmd.MarkFlagRequired("data")
	return cmd
}

func (o challengeOptions) run(cmd *cobra.Command, uuid string) error {
	db, ttl, err := openData(o.data, o.db, "--ttl", o.ttl)
	if err != nil {
		return err
	}
	defer db.Close()
	d, err := db.Donor(uuid)
	if errors.Is(err, store.ErrNotFound) {
		where := o.data
		if o.db != "" {
			where = dbName(o.db)
		}
		return fmt.Errorf("no donor %s is registered in %s", uuid, where)
	}
	if err != nil {
		return err
	}
	t := health.NewTracker(o.data, health.Options{})
	if err := t.Refresh(cmd.Context()); err != nil {
		return err
	}
	c, err := server.Issuer{Tracker: t, Store: db, Rand: rand.Reader, TTL: ttl}.Issue(d, time.Now())
	switch {
	case errors.Is(err, store.ErrChallengeOpen):
		return fmt.Errorf("donor %s already has an open challenge; wait for its answer or expiry", uuid)
	case errors.Is(err, server.ErrNothingToChallenge):
		return fmt.Errorf("donor %s has pushed no file it holds yet: nothing to challenge", uuid)
	case err != nil:
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "challenge %s: %s in %s, bytes %d-%d, answer by %s\n",
		c.ID, c.Key, c.Shard, c.Offset, c.Offset+c.Length-1, c.Expires.Local().Format(time.RFC3339))
	return nil
}

// openData checks that data holds shards, reads the command's duration
// flag and opens the donor store.
func openData(data, dbURL, flag, value string) (*store.DB, time.Duration, error) {
	if err := requireShards(data); err != nil {
		return nil, 0, err
	}
	d, err := parseDuration(flag, value)
	if err != nil {
		return nil, 0, err
	}
	db, err := openStore(data, dbURL)
	if err != nil {
		return nil, 0, err
	}
	return db, d, nil
}

// parseDuration reads a positive duration such as 24h, or days such as 1d.
func parseDuration(flag, s string) (time.Duration, error) {
	if d, err := parseDays(s); err == nil {
		return d, nil
	}
	return 0, fmt.Errorf("%s %q is not a positive duration such as 24h or 1d", flag, s)
}
