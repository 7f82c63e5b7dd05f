package annex

import "testing"

func TestGroupLogNewestWinsAndRegion(t *testing.T) {
	g := GroupLog{}
	g.Merge([]byte("u1 region-asia timestamp=10s\nu1 big region-europe timestamp=20s\nu2 region-mars timestamp=5s\nu3 timestamp=1s\n"))
	g.Merge([]byte("u1 region-africa timestamp=15s\n"))
	if r := g.Region("u1"); r != "europe" {
		t.Fatalf("u1 region = %q, want europe (newest line)", r)
	}
	if r := g.Region("u2"); r != "" {
		t.Fatalf("u2 region = %q, want none (not a known region)", r)
	}
	if r := g.Region("u3"); r != "" || len(g["u3"].Groups) != 0 {
		t.Fatalf("u3 = %+v, want no groups", g["u3"])
	}
	if !ValidRegion("north-america") || ValidRegion("") {
		t.Fatal("ValidRegion")
	}
}
