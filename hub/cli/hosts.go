package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/shardkeeper/shardkeeper/hub/server"
	"github.com/shardkeeper/shardkeeper/hub/store"
	"github.com/spf13/pflag"
)

// addHostFlags adds serve's flags for several hub hosts (issue 15).
func addHostFlags(f *pflag.FlagSet, o *serveOptions) {
	f.StringVar(&o.hostName, "host-name", "", "serve as the hub host `NAME`, one of several sharing --db: it serves the shards placed on it (needs --public-url)")
	f.StringVar(&o.heartbeatEvery, "heartbeat-every", "10s", "with --host-name: record this host alive and look for shard moves every `DURATION`; a host silent for 4 of them is away")
}

// hostConfig opens --db and checks the host flags.
func (o serveOptions) hostConfig() (server.Config, error) {
	var c server.Config
	if o.hostName != "" {
		every, err := parseDuration("--heartbeat-every", o.heartbeatEvery)
		if err != nil {
			return c, err
		}
		if o.publicURL == "" {
			return c, fmt.Errorf("--host-name %s needs --public-url: the URL donors and the other hosts reach this host at", o.hostName)
		}
		c.HostName, c.HeartbeatEvery = o.hostName, every
	}
	if o.db != "" {
		db, err := openDB(o.data, o.db)
		if err != nil {
			return c, err
		}
		c.Store = db
	}
	return c, nil
}

// hubDB is what the hosts commands need of the database.
type hubDB interface {
	store.Hosts
	Close() error
}

// openDB opens the hub's database: a postgres:// URL, a SQLite file
// several hub processes on one machine share, or DATA/hub.db when url is "".
func openDB(data, url string) (*store.DB, error) {
	switch {
	case url == "" && data == "":
		return nil, fmt.Errorf("say which database: --db URL or --data DATA")
	case strings.HasPrefix(url, "sqlite://"):
		return store.OpenFile(strings.TrimPrefix(url, "sqlite://"))
	case url == "" || strings.Contains(url, "://"):
		return openStore(data, url) // PostgreSQL, or refused saying what --db takes
	}
	return store.OpenFile(url)
}

// since says how long ago t was, for people.
func since(now, t time.Time) string {
	return now.Sub(t).Truncate(time.Second).String() + " ago"
}
