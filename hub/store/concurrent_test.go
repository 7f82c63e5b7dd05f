package store

import (
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentRegistration: two hub hosts (two handles on one database)
// with several goroutines each register donors at the same instant. No
// token is handed out twice, no assignment is lost, and every
// registration's picker saw every earlier assignment: the donors counted
// by the picks that were kept are 0, 1, ..., N-1, each once (two
// registrations that read the counts before either wrote would see the
// same number), and the donors spread over the shards as Neediest says
// (equal needs: the same number on each shard).
func TestConcurrentRegistration(t *testing.T) {
	eachBackend(t, testConcurrentRegistration)
}

// registered is one registration and the donors its kept pick counted.
type registered struct {
	d     Donor
	token string
	seen  int
}

func testConcurrentRegistration(t *testing.T, b backend) {
	const shards, hosts, perHost, each = 4, 2, 6, 4 // 48 donors, 12 per shard
	lacking := map[string]int64{}
	for i := range shards {
		lacking[fmt.Sprintf("shard-%04d", i+1)] = 1000
	}
	dbs := make([]*DB, hosts)
	for i := range dbs {
		dbs[i] = b.open(t)
	}
	out := registerAtOnce(t, dbs, perHost, each, Neediest(lacking, false))
	checkRegistrations(t, dbs, out, hosts*perHost*each, lacking)
}

// registerAtOnce starts perHost goroutines on each handle, each
// registering each donors, all released at the same instant.
func registerAtOnce(t *testing.T, dbs []*DB, perHost, each int, pick Picker) chan registered {
	hosts := len(dbs)
	out := make(chan registered, hosts*perHost*each)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for h := range hosts {
		for range perHost {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for range each {
					seen := 0 // the last pick's: PostgreSQL may run a registration again
					counting := func(assigned map[string]int, exclude []string) (string, error) {
						seen = 0
						for _, n := range assigned {
							seen += n
						}
						return pick(assigned, exclude)
					}
					d, token, err := dbs[h].Register("", false, t0, counting)
					if err != nil {
						t.Errorf("host %d: %v", h, err)
						return
					}
					out <- registered{d, token, seen}
				}
			}()
		}
	}
	close(start)
	wg.Wait()
	close(out)
	return out
}

// checkRegistrations checks the want registrations out holds against the
// database: distinct tokens that authenticate, every pick seeing every
// earlier assignment, the same number of donors on each shard.
func checkRegistrations(t *testing.T, dbs []*DB, out chan registered, want int, lacking map[string]int64) {
	shards := len(lacking)
	tokens := map[string]bool{}
	handed := map[string]int{}
	seen := map[int]int{}
	for r := range out {
		seen[r.seen]++
		if tokens[r.token] {
			t.Fatalf("token handed out twice")
		}
		tokens[r.token] = true
		handed[r.d.Shards[0]]++
		if d, ok := dbs[1-len(tokens)%2].Authenticate(r.token); !ok || d.UUID != r.d.UUID {
			t.Errorf("donor %s does not authenticate: %+v %v", r.d.UUID, d, ok)
		}
	}
	if len(tokens) != want {
		t.Fatalf("%d registrations, want %d", len(tokens), want)
	}
	for n := range want {
		if seen[n] != 1 {
			t.Errorf("%d registrations saw %d earlier donors, want 1: they did not see each other (all: %v)", seen[n], n, seen)
			break
		}
	}
	ds, err := dbs[0].Donors()
	if err != nil || len(ds) != want {
		t.Fatalf("%d donors recorded, want %d (%v)", len(ds), want, err)
	}
	counts, err := dbs[1].assigned()
	if err != nil {
		t.Fatal(err)
	}
	for shard := range lacking {
		if counts[shard] != want/shards || handed[shard] != want/shards {
			t.Errorf("%s: %d recorded, %d handed out, want %d each (all: %v)", shard, counts[shard], handed[shard], want/shards, counts)
		}
	}
}
