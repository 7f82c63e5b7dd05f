package shard

import (
	"context"
	"fmt"
	"strings"

	"github.com/shardkeeper/shardkeeper/annex"
)

const zeroID = "0000000000000000000000000000000000000000"

// refMove is one branch going from old ("" for none) to new.
type refMove struct{ ref, old, new string }

// moveRefs moves the branches in one transaction, only if each still is
// where the build found it, and deletes the build's own refs: donors see
// both branches change together or not at all.
func moveRefs(ctx context.Context, g annex.Git, moves []refMove) error {
	var in strings.Builder
	in.WriteString("start\n")
	for _, m := range moves {
		old := m.old
		if old == "" {
			old = zeroID
		}
		fmt.Fprintf(&in, "update %s %s %s\n", m.ref, m.new, old)
	}
	tmp, err := g.Refs(ctx, tmpRefs, "")
	if err != nil {
		return err
	}
	for _, ref := range tmp {
		fmt.Fprintf(&in, "delete %s\n", ref)
	}
	in.WriteString("commit\n")
	if _, err := g.Output(ctx, strings.NewReader(in.String()), "update-ref", "--stdin"); err != nil {
		return fmt.Errorf("move the branches (did another build or push change them meanwhile?): %w", err)
	}
	return nil
}
