package ledger

import (
	"fmt"
	"testing"

	"github.com/shardkeeper/shardkeeper/annex"
)

func TestLedgerAdmitsOnlyWhatFits(t *testing.T) {
	l := New()
	l.contentOnly = true // content alone (meta.go counts the rest)
	l.budget = 3 * 8192
	ref := func(i int) Ref { return Ref{Shard: "s", Key: annex.Key(fmt.Sprintf("k%d", i))} }
	if !l.Admit(ref(1), 4096) || !l.Admit(ref(2), 4000) {
		t.Fatal("two small downloads refused")
	}
	if l.Admit(ref(3), 4096) {
		t.Fatalf("a third admitted: %d reserved of %d", l.Used(), l.budget)
	}
	l.Finish(ref(1), Object{Size: 4096, Usage: 4096}, 0)
	if !l.Admit(ref(3), 4096) {
		t.Errorf("refused after a download finished smaller than reserved")
	}
	l.Finish(ref(2), Object{}, 2048) // failed, a partial stays
	if l.Used() != 4096+2048+Reserve(4096, 4096) || l.partial[ref(2)] != 2048 {
		t.Errorf("used %d after a failure", l.Used())
	}
}
