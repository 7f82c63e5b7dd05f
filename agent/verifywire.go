package agent

import (
	"context"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/annexproc"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/agent/ledger"
	"github.com/shardkeeper/shardkeeper/agent/storage"
	"github.com/shardkeeper/shardkeeper/agent/verify"
	"github.com/shardkeeper/shardkeeper/annex"
)

// newVerifier wires verification (agent/verify) to this agent: its
// storage locations and their records in the state, git-annex, the
// refetch and the push.
func (a *Agent) newVerifier() *verify.Verifier {
	return verify.New(verify.Deps{
		Donor: func() string {
			a.mu.Lock()
			defer a.mu.Unlock()
			return a.cfg.DonorUUID
		},
		Location:       a.locationShards,
		Shard:          a.storageShard,
		Connected:      a.locationConnected,
		UpdateLocation: a.updateLocation,
		Finished:       a.verifyFinished,
		Repo:           a.plainRepo,
		Keys:           a.verifyKeys,
		FileOf:         a.fileOfLoading,
		Emit:           a.emit,
		Log:            a.log.Warn,
		Now:            a.clock.Now,
		Repair:         a.kick,
		Report:         a.requestPush,
		TimeLimit:      a.opts.VerifyTimeLimit,
		RestFor:        a.opts.VerifyRestFor,
		Rate: func() int64 {
			a.mu.Lock()
			defer a.mu.Unlock()
			return int64(max(a.settings.VerifyKBps, 0)) * 1024
		},
		After: a.clock.After,
	})
}

// Verify starts a verification now, in the background, of every storage
// location that is connected: every file held there is read and checked
// against its key (agent/verify). Progress and problems come as events, in
// Status.Verifying and, at the end, in Status.LastVerification. Pause
// stops it after the file it is checking; Resume continues after the last
// file it recorded.
func (a *Agent) Verify(ctx context.Context) error {
	if a.verifier.Running() {
		return control.Conflictf("a verification is already running")
	}
	a.mu.Lock()
	var ids []string
	for _, l := range a.cfg.Locations {
		if a.online[l.ID] {
			ids = append(ids, l.ID)
			st := a.locStateLocked(l.ID)
			// A donor's "verify now" checks everything again.
			st.VerifyStarted, st.Resume, st.RestUntil = a.clock.Now().UTC(), false, time.Time{}
			a.state.Locations[l.ID] = st
		}
	}
	a.mu.Unlock()
	if len(ids) == 0 {
		return control.Conflictf("no storage location is connected: connect the drive and try again")
	}
	return a.startVerify(ids)
}

// startVerify runs the locations' verification in the background.
func (a *Agent) startVerify(ids []string) error {
	if a.verifier.Running() {
		return control.Conflictf("a verification is already running")
	}
	a.mu.Lock()
	if a.state.Paused {
		a.home.SaveState(a.state)
		a.mu.Unlock()
		return control.Conflictf("paused; the verification will run when you resume")
	}
	checking := map[string]bool{}
	for _, id := range ids {
		checking[id] = true
	}
	locOf := map[string]string{}
	for _, sh := range a.cfg.Shards {
		locOf[sh.Name] = sh.Location
	}
	a.home.SaveState(a.state)
	a.mu.Unlock()
	var total int64
	a.ledger.EachHeld(func(ref ledger.Ref, _ ledger.Object) {
		if checking[locOf[ref.Shard]] {
			total++
		}
	})
	return a.verifier.Start(ids, total)
}

// verifyFinished records when each location was last verified, overall.
func (a *Agent) verifyFinished() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, st := range a.state.Locations {
		if st.LastVerified.After(a.state.LastVerified) {
			a.state.LastVerified = st.LastVerified
		}
	}
	a.home.SaveState(a.state)
}

// stopVerifying asks a running verification to stop after its current file.
func (a *Agent) stopVerifying() { a.verifier.Stop() }

// resumeVerifying continues a verification a pause interrupted, and
// starts one that came due meanwhile.
func (a *Agent) resumeVerifying() { a.scheduleVerification() }

// locationShards is a storage location's path and the shards on it.
func (a *Agent) locationShards(id string) (string, []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	l, _ := storage.Of(a.cfg, id)
	var shards []string
	for _, sh := range a.cfg.Shards {
		if sh.Location == id {
			shards = append(shards, sh.Name)
		}
	}
	return l.Path, shards
}

// locationConnected says whether a location's marker is there now.
func (a *Agent) locationConnected(id string) bool {
	a.mu.Lock()
	cfg := a.cfg
	a.mu.Unlock()
	l, ok := storage.Of(cfg, id)
	if !ok {
		return false
	}
	match, _ := storage.MarkerAt(l.Path, cfg.DonorUUID, id)
	return match
}

// updateLocation changes a location's record and saves the state.
func (a *Agent) updateLocation(id string, fn func(*home.LocationState)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	st := a.locStateLocked(id)
	fn(&st)
	a.state.Locations[id] = st
	a.home.SaveState(a.state)
}

// storageShard is a shard's configuration now (its path follows its drive).
func (a *Agent) storageShard(name string) (sh home.ShardConfig, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, s := range a.cfg.Shards {
		if s.Name == name {
			return s, true
		}
	}
	return sh, false
}

// plainRepo is a shard repo for local work (no download proxy).
func (a *Agent) plainRepo(sh home.ShardConfig) *annexproc.Repo {
	return annexproc.NewRepo(a.opts.Tools, sh.Path, a.cfg.Hub)
}

// verifyKeys lists the keys of a shard held on its location: the objects
// on disk (the ledger's scan), and the keys whose location log says they
// are here although their object is gone, a problem verification reports.
func (a *Agent) verifyKeys(ctx context.Context, shard string) ([]annex.Key, error) {
	held := a.ledger.HeldOf(shard)
	keys := make([]annex.Key, 0, len(held))
	for k := range held {
		keys = append(keys, k)
	}
	loc := a.locations(ctx, shard)
	if loc == nil {
		return keys, nil // unreadable just now: the objects on disk are checked
	}
	a.mu.Lock()
	donor := a.cfg.DonorUUID
	a.mu.Unlock()
	for k := range loc.Logs {
		if _, ok := held[k]; !ok && loc.Has(k, donor) {
			keys = append(keys, k)
		}
	}
	return keys, nil
}
