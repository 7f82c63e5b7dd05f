package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/audit"
	"github.com/shardkeeper/shardkeeper/hub/health"
	"github.com/shardkeeper/shardkeeper/hub/shard"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// Place is where a donor is and what it can hold, as it registers.
type Place struct {
	Region       string `json:"region"`         // one of annex.Regions, or "" (unknown)
	BudgetBytes  int64  `json:"budget_bytes"`   // the donor's budget; 0 when not said
	MaxFileBytes int64  `json:"max_file_bytes"` // large-file opt-in; 0 for none
}

// PlacePatch changes a donor's Place; absent fields stay as they are.
type PlacePatch struct {
	Region       *string `json:"region"`
	BudgetBytes  *int64  `json:"budget_bytes"`
	MaxFileBytes *int64  `json:"max_file_bytes"`
}

func checkPlace(region string, budget, maxFile int64) string {
	if region != "" && !annex.ValidRegion(region) {
		return fmt.Sprintf("region %q is not one of: %s", region, strings.Join(annex.Regions, ", "))
	}
	if budget < 0 || maxFile < 0 {
		return "budget_bytes and max_file_bytes must not be negative"
	}
	return ""
}

func (p Place) check() string { return checkPlace(p.Region, p.BudgetBytes, p.MaxFileBytes) }

func (p Place) patch() store.Patch {
	return store.Patch{Region: &p.Region, BudgetBytes: &p.BudgetBytes, MaxFileBytes: &p.MaxFileBytes}
}

func (p PlacePatch) check() string {
	var region string
	var budget, maxFile int64
	if p.Region != nil {
		region = *p.Region
	}
	if p.BudgetBytes != nil {
		budget = *p.BudgetBytes
	}
	if p.MaxFileBytes != nil {
		maxFile = *p.MaxFileBytes
	}
	return checkPlace(region, budget, maxFile)
}

func (p PlacePatch) patch() store.Patch {
	return store.Patch{Region: p.Region, BudgetBytes: p.BudgetBytes, MaxFileBytes: p.MaxFileBytes}
}

// unknownCollection is a collection the hub does not have.
type unknownCollection struct {
	name string
	have []string
}

func (e unknownCollection) Error() string {
	return fmt.Sprintf("no collection %q; the hub has: %s", e.name, strings.Join(e.have, ", "))
}

// pickError answers an unknown collection (404) or a named collection with
// nothing to give (409), and reports whether it answered.
func (s *Server) pickError(w http.ResponseWriter, err error, coll string) bool {
	var unknown unknownCollection
	switch {
	case errors.As(err, &unknown):
		writeError(w, http.StatusNotFound, unknown.Error())
	case coll != "" && errors.Is(err, store.ErrNoShards):
		writeError(w, http.StatusConflict, fmt.Sprintf("no shard of collection %q needs copies now; thank you, try again later or choose another collection", coll))
	default:
		return false
	}
	return true
}

// collectionPicker chooses a shard of collection coll, or when coll is ""
// of the neediest collection that has a shard needing copies. Within a
// collection it prefers the shards with the fewest copies in the donor's
// region (region spread), then store.Neediest. anyFallback (registration
// without a collection) hands out a finished shard when none needs copies.
func (s *Server) collectionPicker(ctx context.Context, coll, region string, anyFallback bool) (store.Picker, error) {
	if len(s.catalog().order) == 0 {
		return nil, store.ErrNoShards
	}
	if err := s.fresh(ctx); err != nil {
		return nil, err
	}
	donors, err := s.donors.Donors()
	if err != nil {
		return nil, err
	}
	r := s.tracker.Report(donors)
	s.hosts.refresh(s) // hand out only shards whose host is alive now
	served := s.catalog().byName
	var order, have []string
	for _, c := range r.Collections {
		have = append(have, c.Name)
		if coll == "" || coll == c.Name {
			order = append(order, c.Name)
		}
	}
	if len(order) == 0 {
		return nil, unknownCollection{coll, have}
	}
	lacking := map[string]int64{}
	load := map[string]float64{}
	for _, sh := range r.Shards {
		// Not in served: built after this server started. Not reachable:
		// its hub host is away, and a new donor could not clone it.
		if _, ok := served[sh.Name]; ok && s.servedReachable(sh.Name) {
			lacking[sh.Name] = sh.LackingCopies
			load[sh.Name] = regionLoad(sh, region, donors)
		}
	}
	return func(assigned map[string]int, exclude []string) (string, error) {
		for _, c := range order {
			in := map[string]int64{}
			for name, n := range lacking {
				if served[name].Collection == c {
					in[name] = n
				}
			}
			if name, err := pickSpread(in, load, assigned, exclude); err == nil {
				return name, nil
			}
		}
		if anyFallback && coll == "" {
			return store.Neediest(lacking, true)(assigned, exclude)
		}
		return "", store.ErrNoShards
	}, nil
}

// regionLoad is how well a shard is covered in region already: its copies
// there per file, or the donors there assigned to it (who will hold it
// all), whichever is more. 0 without a region.
func regionLoad(sh health.ShardHealth, region string, donors []store.Donor) float64 {
	if region == "" {
		return 0
	}
	var perFile float64
	if sh.Files > 0 {
		perFile = float64(sh.CopiesByRegion[region]) / float64(sh.Files)
	}
	var assigned float64
	for _, d := range donors {
		if d.Region == region && !d.Leaving() && d.Holds(sh.Name) && !d.GivingBack(sh.Name) {
			assigned++
		}
	}
	return max(perFile, assigned)
}

// pickSpread keeps, of the shards that lack copies, those least covered in
// the donor's region, and lets store.Neediest choose among them.
func pickSpread(lacking map[string]int64, load map[string]float64, assigned map[string]int, exclude []string) (string, error) {
	least := -1.0
	for name, n := range lacking {
		if n > 0 && !slices.Contains(exclude, name) && (least < 0 || load[name] < least) {
			least = load[name]
		}
	}
	if least < 0 {
		return "", store.ErrNoShards
	}
	keep := map[string]int64{}
	for name, n := range lacking {
		if n > 0 && load[name] <= least+1e-9 {
			keep[name] = n
		}
	}
	return store.Neediest(keep, false)(assigned, exclude)
}

// CollectionsResponse is GET /api/v1/collections.
type CollectionsResponse struct {
	TargetCopies int                       `json:"target_copies"`
	Collections  []health.CollectionHealth `json:"collections"`
}

func (s *Server) collections(w http.ResponseWriter, r *http.Request) {
	report, _, err := s.report(r.Context())
	if err != nil {
		s.internalError(w, "compute health", err)
		return
	}
	writeJSON(w, http.StatusOK, CollectionsResponse{TargetCopies: report.TargetCopies, Collections: report.Collections})
}

// leaveShard gives one shard back: the donor stops counting as assigned to
// it and is marked untrusted in its trust.log, so others replace its
// copies; the agent then drops what others hold and calls removeShard.
func (s *Server) leaveShard(w http.ResponseWriter, r *http.Request, d store.Donor) {
	name := r.PathValue("shard")
	if !d.Holds(name) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("this donor does not hold %q", name))
		return
	}
	if _, err := s.donors.LeaveShard(d.UUID, name, s.cfg.Now()); err != nil {
		s.internalError(w, "give a shard back", err)
		return
	}
	s.log.Info("donor giving a shard back", "donor", d.UUID, "shard", name)
	s.branchMu.Lock()
	err := s.untrustIn(r.Context(), d.UUID, name)
	s.branchMu.Unlock()
	if err != nil {
		s.log.Error("mark a donor untrusted in a shard it gives back", "donor", d.UUID, "shard", name, "err", err)
	}
	writeJSON(w, http.StatusOK, struct {
		Leaving bool `json:"leaving"`
	}{true})
}

// removeShard takes the shard off the donor and deletes its ref there: its
// copies in that shard stop counting at once.
func (s *Server) removeShard(w http.ResponseWriter, r *http.Request, d store.Donor) {
	name := r.PathValue("shard")
	if !d.Holds(name) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("this donor does not hold %q", name))
		return
	}
	if _, err := s.donors.RemoveShard(d.UUID, name); err != nil {
		s.internalError(w, "remove a shard", err)
		return
	}
	if _, ok := s.catalog().byName[name]; ok {
		s.deleteRef(r.Context(), d.UUID, name)
		if err := s.tracker.RefreshShard(r.Context(), name); err != nil {
			s.log.Error("health", "err", err)
		}
	}
	s.log.Info("donor gave a shard back", "donor", d.UUID, "shard", name)
	w.WriteHeader(http.StatusNoContent)
}

// deleteRef deletes a donor's pushed branch in one shard, if it has one.
func (s *Server) deleteRef(ctx context.Context, uuid, name string) {
	g := s.cfg.Git
	g.Dir = shard.RepoDir(s.cfg.DataDir, name)
	if g.RefExists(ctx, audit.DonorRef(uuid)) {
		if _, err := g.Output(ctx, nil, "update-ref", "-d", audit.DonorRef(uuid)); err != nil {
			s.log.Error("delete a donor's ref", "donor", uuid, "shard", name, "err", err)
		}
	}
}
