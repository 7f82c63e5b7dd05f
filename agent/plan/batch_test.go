package plan

import (
	"fmt"
	"testing"

	"github.com/shardkeeper/shardkeeper/annex"
)

func sized(sizes ...int64) []Candidate {
	var c []Candidate
	for i, s := range sizes {
		c = append(c, Candidate{Key: annex.Key(fmt.Sprintf("SHA256E-s%d--%064x", s, i)), Size: s})
	}
	return c
}

func TestBatchOfLargeFilesIsTheFileCount(t *testing.T) {
	fetch := sized(100, 100, 100, 100, 100)
	if got := len(BatchOf(fetch, 2, 150)); got != 2 {
		t.Errorf("batch of %d files, want 2: two files already pass the byte bound", got)
	}
	if got := len(BatchOf(fetch, 10, 150)); got != 5 {
		t.Errorf("batch of %d files, want all 5", got)
	}
}

func TestBatchOfSmallFilesGoesOnToTheByteBound(t *testing.T) {
	fetch := sized(10, 10, 10, 10, 10, 10, 50)
	if got := len(BatchOf(fetch, 2, 45)); got != 4 {
		t.Errorf("batch of %d files, want 4 (40 bytes of at most 45)", got)
	}
	if got := len(BatchOf(fetch, 2, -1)); got != 2 {
		t.Errorf("batch of %d files with the byte bound off, want 2", got)
	}
	many := make([]int64, MaxBatchFiles+10)
	for i := range many {
		many[i] = 1
	}
	if got := len(BatchOf(sized(many...), 25, 1<<30)); got != MaxBatchFiles {
		t.Errorf("batch of %d tiny files, want at most %d", got, MaxBatchFiles)
	}
}

// TestBatchLimitIsEnoughForABatch: a plan cut at BatchLimit gives the
// same batch as the whole plan.
func TestBatchLimitIsEnoughForABatch(t *testing.T) {
	many := make([]int64, 3*MaxBatchFiles)
	for i := range many {
		many[i] = 1
	}
	fetch := sized(many...)
	for _, files := range []int{0, 1, 25, MaxBatchFiles, 2 * MaxBatchFiles} {
		for _, bytes := range []int64{-1, 0, 100, 1 << 30} {
			whole, cut := BatchOf(fetch, files, bytes), BatchOf(fetch[:BatchLimit(files)], files, bytes)
			if len(whole) != len(cut) {
				t.Errorf("files %d, bytes %d: batch of %d files from the whole plan, %d from one cut at %d", files, bytes, len(whole), len(cut), BatchLimit(files))
			}
		}
	}
}
