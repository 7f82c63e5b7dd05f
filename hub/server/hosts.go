package server

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/shardkeeper/shardkeeper/hub/health"
	"github.com/shardkeeper/shardkeeper/hub/shard"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// DefaultHeartbeatEvery is how often a hub host records that it is alive
// and looks for shard moves; a host silent for StaleHeartbeats of them is
// away.
const (
	DefaultHeartbeatEvery = 10 * time.Second
	StaleHeartbeats       = 4
)

// hostSet is this process as one of several hub hosts sharing a database
// (issue 15): the placements and hosts as last read, and a lock per shard
// that pushes hold while they run, so a move waits for them.
type hostSet struct {
	name  string
	url   string
	db    store.Hosts
	every time.Duration

	mu         sync.Mutex
	placements map[string]store.Placement
	hosts      map[string]store.Host
	pushes     map[string]*sync.RWMutex
	receiving  map[string]bool // moves to this host under way
}

// joinHosts (with Config.HostName) records this host, places on it the shards of its data
// directory that no host serves yet, and reads every placement.
func (s *Server) joinHosts(infos []shard.Info) error {
	if s.cfg.HostName == "" {
		return nil // a hub of one host
	}
	hs, ok := s.donors.(store.Hosts)
	if !ok {
		return fmt.Errorf("--host-name needs a database that keeps hosts; this store does not")
	}
	every := s.cfg.HeartbeatEvery
	if every <= 0 {
		every = DefaultHeartbeatEvery
	}
	s.hosts = &hostSet{name: s.cfg.HostName, url: s.cfg.PublicURL, db: hs, every: every,
		pushes: map[string]*sync.RWMutex{}, receiving: map[string]bool{}}
	if s.cfg.PublicURL == "" {
		return fmt.Errorf("host %s needs --public-url: the other hosts send donors there", s.cfg.HostName)
	}
	now := s.cfg.Now()
	if err := hs.Heartbeat(s.hosts.name, s.hosts.url, now); err != nil {
		return err
	}
	var here []string
	for _, info := range infos {
		if _, err := os.Stat(shard.RepoDir(s.cfg.DataDir, info.Name)); err == nil {
			here = append(here, info.Name)
		}
	}
	placed, err := hs.Claim(s.hosts.name, here, now)
	if err != nil {
		return err
	}
	if len(placed) > 0 {
		s.log.Info("shards placed on this host", "host", s.hosts.name, "shards", placed)
	}
	return s.hosts.reload()
}

// reload reads the placements and hosts again.
func (h *hostSet) reload() error {
	ps, err := h.db.Placements()
	if err != nil {
		return err
	}
	hosts, err := h.db.HostList()
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.placements = map[string]store.Placement{}
	for _, p := range ps {
		h.placements[p.Shard] = p
	}
	h.hosts = map[string]store.Host{}
	for _, host := range hosts {
		h.hosts[host.Name] = host
	}
	return nil
}

// refresh reads the placements and hosts again where the answer must be
// current (registration, the health report), logging a failure: the
// last read stays.
func (h *hostSet) refresh(s *Server) {
	if h == nil {
		return
	}
	if err := h.reload(); err != nil {
		s.log.Warn("read shard placements", "err", err)
	}
}

// placement is where a shard is served, as last read.
func (h *hostSet) placement(name string) (store.Placement, store.Host, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p, ok := h.placements[name]
	return p, h.hosts[p.Host], ok
}

func (h *hostSet) pushLock(name string) *sync.RWMutex {
	h.mu.Lock()
	defer h.mu.Unlock()
	mu := h.pushes[name]
	if mu == nil {
		mu = &sync.RWMutex{}
		h.pushes[name] = mu
	}
	return mu
}

// reachable says whether a host's heartbeat is recent.
func (h *hostSet) reachable(host store.Host, now time.Time) bool {
	return host.Name != "" && now.Sub(host.HeartbeatAt) < StaleHeartbeats*h.every
}

// local says whether this process serves a shard's repository: always
// for a hub of one host.
func (s *Server) local(name string) bool {
	if s.hosts == nil {
		return true
	}
	p, _, ok := s.hosts.placement(name)
	return ok && p.Host == s.hosts.name
}

// servedReachable says whether a shard's repository can be reached: its
// host is alive. Registration hands out only such shards.
func (s *Server) servedReachable(name string) bool {
	if s.hosts == nil {
		return true
	}
	p, host, ok := s.hosts.placement(name)
	return ok && (p.Host == s.hosts.name || s.hosts.reachable(host, s.cfg.Now()))
}

// shardBase is the base URL of the host serving a shard.
func (s *Server) shardBase(r *http.Request, name string) string {
	if s.hosts != nil {
		if _, host, ok := s.hosts.placement(name); ok && host.PublicURL != "" {
			return host.PublicURL
		}
	}
	return s.publicURL(r)
}

// RunHosts beats the heart at each tick until ctx ends: records this host
// alive, reads the placements again, and takes its part in shard moves.
func (s *Server) RunHosts(ctx context.Context, tick <-chan time.Time) {
	if s.hosts == nil {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			s.hostTick(ctx)
		}
	}
}

func (s *Server) hostTick(ctx context.Context) {
	h := s.hosts
	if err := h.db.Heartbeat(h.name, h.url, s.cfg.Now()); err != nil {
		s.log.Warn("heartbeat", "err", err)
	}
	if err := h.reload(); err != nil {
		s.log.Warn("read shard placements", "err", err)
		return
	}
	h.mu.Lock()
	var freeze, receive, remote []store.Placement
	for _, p := range h.placements {
		switch {
		case p.Host == h.name && p.State == store.PlacementMoving:
			freeze = append(freeze, p)
		case p.MovingTo == h.name && p.State == store.PlacementFrozen && !h.receiving[p.Shard]:
			h.receiving[p.Shard] = true
			receive = append(receive, p)
		case p.Host != h.name:
			remote = append(remote, p)
		}
	}
	h.mu.Unlock()
	for _, p := range freeze {
		s.freeze(p)
	}
	for _, p := range receive {
		s.refreshWG.Add(1)
		go func() {
			defer s.refreshWG.Done()
			s.receive(ctx, p)
		}()
	}
	// What the other hosts recorded of their shards, for this host's pages.
	for _, p := range remote {
		if err := s.tracker.RefreshShard(ctx, p.Shard); err != nil {
			s.log.Warn("read the health another host recorded", "shard", p.Shard, "err", err)
		}
	}
}

// freeze stops pushes to a shard moving away: it waits for the pushes in
// flight, then records that none will land here any more.
func (s *Server) freeze(p store.Placement) {
	mu := s.hosts.pushLock(p.Shard)
	mu.Lock()
	defer mu.Unlock()
	ok, err := s.hosts.db.Freeze(p.Shard, s.hosts.name, s.cfg.Now())
	if err != nil {
		s.log.Error("stop pushes for a move", "shard", p.Shard, "err", err)
		return
	}
	if ok {
		s.log.Info("shard frozen for its move: pushes wait for the new host", "shard", p.Shard, "to", p.MovingTo)
	}
}

// hostsReport adds the hosts to a report and marks the shards of hosts
// that are away unreachable.
func (s *Server) hostsReport(r *health.Report) {
	if s.hosts == nil {
		return
	}
	s.hosts.refresh(s)
	now := s.cfg.Now()
	counts := map[string]int{}
	for i := range r.Shards {
		p, host, ok := s.hosts.placement(r.Shards[i].Name)
		r.Shards[i].Host = p.Host
		reachable := ok && (p.Host == s.hosts.name || s.hosts.reachable(host, now))
		r.Shards[i].Reachable = &reachable
		counts[p.Host]++
	}
	s.hosts.mu.Lock()
	defer s.hosts.mu.Unlock()
	for _, host := range s.hosts.hosts {
		r.Hosts = append(r.Hosts, health.HostHealth{Name: host.Name, URL: host.PublicURL, LastHeartbeat: host.HeartbeatAt,
			Reachable: host.Name == s.hosts.name || s.hosts.reachable(host, now), Shards: counts[host.Name]})
	}
	sort.Slice(r.Hosts, func(a, b int) bool { return r.Hosts[a].Name < r.Hosts[b].Name })
}

// leads says whether this process runs the hub-wide rounds (proofs of
// storage): a hub of one host does; of several, the reachable host first
// by name.
func (s *Server) leads() bool {
	if s.hosts == nil {
		return true
	}
	now := s.cfg.Now()
	s.hosts.mu.Lock()
	defer s.hosts.mu.Unlock()
	for _, host := range s.hosts.hosts {
		if host.Name < s.hosts.name && s.hosts.reachable(host, now) {
			return false
		}
	}
	return true
}
