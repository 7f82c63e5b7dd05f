package funclen

import (
	"os"
	"strings"
	"testing"
)

// TestNoFunctionOverTheLimit: no function in the repository is over Max
// lines, route tables aside.
func TestNoFunctionOverTheLimit(t *testing.T) {
	long, err := Find("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range long {
		t.Errorf("%s: split it into named steps", l)
	}
}

// TestFindCountsFromFuncToBrace: the count is the function's lines,
// func keyword to closing brace.
func TestFindCountsFromFuncToBrace(t *testing.T) {
	dir := t.TempDir()
	body := "package x\n\nfunc long() {\n" + strings.Repeat("\t_ = 1\n", Max-1) + "}\n\nfunc ok() {\n" + strings.Repeat("\t_ = 1\n", Max-2) + "}\n"
	writeFile(t, dir+"/x.go", body)
	long, err := Find(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(long) != 1 || long[0].Name != "long" || long[0].Lines != Max+1 {
		t.Fatalf("found %v, want only long at %d lines", long, Max+1)
	}
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
