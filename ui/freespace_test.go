package ui

import (
	"path/filepath"
	"testing"
)

func TestFreeSpaceOfAFolderNotYetMade(t *testing.T) {
	dir := t.TempDir()
	have, err := FreeSpace(dir)
	if err != nil || have <= 0 {
		t.Fatalf("FreeSpace(%s) = %d, %v", dir, have, err)
	}
	later, err := FreeSpace(filepath.Join(dir, "not", "yet"))
	if err != nil || later <= 0 {
		t.Fatalf("FreeSpace of a folder to be made = %d, %v", later, err)
	}
	// Same drive: within what other tests may write meanwhile.
	if diff := have - later; diff > 1<<30 || diff < -(1<<30) {
		t.Errorf("free space %d beside %d", later, have)
	}
}
