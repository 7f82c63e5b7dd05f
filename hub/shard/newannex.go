package shard

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
)

// git fast-import finds a path's place in a tree by a linear search, and
// interns every file name in a fixed table of 4451 chains: writing 200k
// logs into the git-annex branch's 4096 top directories one by one grows
// quadratic (3 s of CPU for 100k keys, 15 s for 300k). newAnnexBranch
// writes the logs in small commits instead, one per first two hex digits of
// the hash directory, spread over several fast-import runs of at most
// keysPerImport keys (two at a time), then joins their top directories into
// one commit.
const (
	partitionDigits = 2
	keysPerImport   = 25000
	parallelImports = 2
)

// newAnnexBranch writes the git-annex branch of a new shard and returns its
// commit.
func newAnnexBranch(ctx context.Context, g annex.Git, name string, ct content, now time.Time) (string, error) {
	parts := map[string][]annex.Key{}
	var order []string
	for _, k := range ct.keys {
		p := annex.HashDirLower(k)[:partitionDigits]
		if parts[p] == nil {
			order = append(order, p)
		}
		parts[p] = append(parts[p], k)
	}
	sort.Strings(order)
	// Consecutive partitions, keysPerImport keys or so per run.
	var runs [][]string
	for i, n := 0, 0; i < len(order); i++ {
		if len(runs) == 0 || n >= keysPerImport {
			runs, n = append(runs, nil), 0
		}
		runs[len(runs)-1] = append(runs[len(runs)-1], order[i])
		n += len(parts[order[i]])
	}
	commits := make([][]string, len(runs))
	errs := make([]error, len(runs))
	var wg sync.WaitGroup
	slots := make(chan struct{}, parallelImports)
	for r, run := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			commits[r], errs[r] = importPartitions(ctx, g, r, run, parts, ct, now)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return "", err
	}
	root, err := joinTrees(ctx, g, slices.Concat(commits...))
	if err != nil {
		return "", err
	}
	return commitTree(ctx, g, root, now, fmt.Sprintf("shardhub: %s, %d keys on the web", name, len(ct.keys)))
}

// importPartitions writes each partition's logs as a commit of its own
// (on a ref of this run's, refs/shardhub/annex-<run>) and returns them.
func importPartitions(ctx context.Context, g annex.Git, run int, order []string, parts map[string][]annex.Key, ct content, now time.Time) ([]string, error) {
	ref := fmt.Sprintf("%s-%d", tmpAnnexParts, run)
	marks := filepath.Join(g.Dir, fmt.Sprintf("shardhub-annex-marks-%d", run))
	defer os.Remove(marks)
	err := fastImport(ctx, g, marks, func(s *stream) {
		s.webBlob(now)
		for i, p := range order {
			s.reset(ref)
			s.commit(ref, i+2, "", now, "part "+p)
			for _, k := range parts[p] {
				s.logs(k, nil, nil, ct.urls[k])
			}
		}
	})
	if err != nil {
		return nil, err
	}
	marked, err := readMarks(marks)
	if err != nil {
		return nil, err
	}
	commits := make([]string, len(order))
	for i := range order {
		commits[i] = marked[i+2]
	}
	return commits, nil
}
