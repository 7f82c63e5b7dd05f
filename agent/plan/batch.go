package plan

// MaxBatchFiles bounds a batch of small files (see Options.BatchBytes).
const MaxBatchFiles = 1000

// BatchOf is the next batch of a plan: its first files files, and past
// them more while the batch totals less than bytes (bytes < 0: no more),
// up to MaxBatchFiles. A batch of small files reports as often, in bytes,
// as one of large files.
func BatchOf(fetch []Candidate, files int, bytes int64) []Candidate {
	n, total := 0, int64(0)
	for n < len(fetch) && n < max(files, 1) {
		total += fetch[n].Size
		n++
	}
	for bytes >= 0 && n < len(fetch) && n < MaxBatchFiles && total+fetch[n].Size <= bytes {
		total += fetch[n].Size
		n++
	}
	return fetch[:n]
}

// BatchLimit is the most files BatchOf(fetch, files, ...) takes: a plan
// made for one batch needs no more (PlanInput.Limit).
func BatchLimit(files int) int {
	return max(files, 1, MaxBatchFiles)
}
