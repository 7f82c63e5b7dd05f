package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/shardkeeper/shardkeeper/agent/annexproc"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/agent/hubclient"
	"github.com/shardkeeper/shardkeeper/agent/storage"
	"github.com/shardkeeper/shardkeeper/internal/gitenv"
)

// JoinRequest is what a donor says when joining a hub.
type JoinRequest struct {
	Hub         string
	Storage     string
	BudgetBytes int64
	Name        string // optional display name
	// Collection is the collection to help with ("": wherever it is
	// needed most).
	Collection string
	// Region is where the donor roughly is (one of annex.Regions, or "").
	Region string
	// MaxFileBytes opts in to large files (0: no opt-in).
	MaxFileBytes int64
}

// Join registers with the hub, clones the assigned shard into the storage
// folder, gives the repository the UUID the hub chose, and saves the
// configuration in the home. It checks everything it can before it
// registers, so a bad folder never leaves a half-registered donor.
func Join(ctx context.Context, h home.Home, tools Tools, req JoinRequest, now func() time.Time) (home.Config, error) {
	if _, err := h.LoadConfig(); err == nil {
		return home.Config{}, fmt.Errorf("the home %s has already joined a hub: use another --home for another donor", h.Dir)
	} else if !errors.Is(err, home.ErrNotJoined) {
		return home.Config{}, err
	}
	if req.BudgetBytes < 0 {
		return home.Config{}, fmt.Errorf("the budget cannot be negative")
	}
	dir, err := filepath.Abs(req.Storage)
	if err != nil || req.Storage == "" {
		return home.Config{}, fmt.Errorf("storage folder %q is not a valid path", req.Storage)
	}
	if err := storage.Writable(dir); err != nil {
		return home.Config{}, fmt.Errorf("storage folder %s cannot be written (%s): choose a folder you can write to", dir, storage.RootErr(err))
	}
	if err := checkPlacement(control.Settings{Region: req.Region, MaxFileBytes: req.MaxFileBytes}); err != nil {
		return home.Config{}, err
	}
	client, err := hubclient.New(req.Hub)
	if err != nil {
		return home.Config{}, err
	}
	if err := h.Ensure(); err != nil {
		return home.Config{}, err
	}

	reg, err := register(ctx, client, req)
	if err != nil {
		return home.Config{}, err
	}
	path := filepath.Join(dir, reg.Shard.Name)
	if err := cloneShard(ctx, tools, reg, path, req.Name); err != nil {
		return home.Config{}, err
	}
	at := now().UTC()
	loc := home.LocationConfig{ID: storage.NewLocationID(), Path: dir, Added: at}
	cfg := home.Config{
		Hub: client.Base, DonorUUID: reg.UUID, Token: reg.Token, Name: req.Name,
		Storage: dir, BudgetBytes: req.BudgetBytes, JoinedAt: at, TargetCopies: reg.TargetCopies,
		Shards: []home.ShardConfig{{
			Name: reg.Shard.Name, URL: reg.Shard.URL, Path: path,
			Files: reg.Shard.Files, Bytes: reg.Shard.Bytes, Location: loc.ID, Collection: reg.Shard.Collection,
		}},
		Locations: []home.LocationConfig{loc},
	}
	if err := storage.WriteMarker(dir, cfg, loc.ID); err != nil {
		return home.Config{}, err
	}
	if err := joinPlacement(ctx, h, tools, cfg, req); err != nil {
		return home.Config{}, err
	}
	if err := h.SaveConfig(cfg); err != nil {
		return home.Config{}, err
	}
	return cfg, nil
}

// cloneShard makes the donor's git-annex repository for a shard.
func cloneShard(ctx context.Context, tools Tools, reg hubclient.Registration, path, name string) error {
	if entries, err := os.ReadDir(path); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s already exists and is not empty: choose another storage folder", path)
	}
	if _, err := tools.GitIn("").Output(ctx, nil, cloneArgs(reg.Shard.URL, path)...); err != nil {
		return fmt.Errorf("download shard %s from the hub: %w", reg.Shard.Name, err)
	}
	if err := checkIsShard(path); err != nil {
		os.RemoveAll(path)
		return fmt.Errorf("the hub sent %s, which %w: tell the archive's operators", reg.Shard.Name, err)
	}
	r := annexproc.NewRepo(tools, path, reg.Shard.URL)
	g := r.Git() // no work tree, no index (sparse.go)
	desc := "shardkeeper donor"
	if name != "" {
		desc = name + " (shardkeeper)"
	}
	// The hub chose this UUID and knows it; git-annex must use it too, so
	// the location log lines the donor pushes are attributable to it.
	steps := [][]string{
		{"config", "annex.uuid", reg.UUID},
		// The hub's repository holds no content: never ask it for any.
		{"config", "remote.origin.annex-ignore", "true"},
		{"config", "gc.auto", looseObjectsLimit}, // sparse.go
	}
	for _, kv := range gitenv.RepoSettings() {
		steps = append(steps, []string{"config", kv[0], kv[1]})
	}
	for _, s := range steps {
		if _, err := g.Output(ctx, nil, s...); err != nil {
			return fmt.Errorf("set up %s: %w", path, err)
		}
	}
	if _, err := r.Annex(ctx, nil, "init", "--quiet", desc); err != nil {
		return fmt.Errorf("set up git-annex in %s: %w", path, err)
	}
	return nil
}

// checkIsShard makes sure a clone is a git-annex repository before git-annex
// is set up in it: without an origin/git-annex branch, `git annex init`
// would start an empty annex and the donor would wait forever for files.
// go-git reads the refs in-process, without starting git.
func checkIsShard(path string) error {
	repo, err := gogit.PlainOpen(path)
	if err != nil {
		return fmt.Errorf("is not a git repository (%v)", err)
	}
	if _, err := repo.Reference(plumbing.NewRemoteReferenceName("origin", "git-annex"), false); err != nil {
		return fmt.Errorf("has no git-annex branch")
	}
	return nil
}
