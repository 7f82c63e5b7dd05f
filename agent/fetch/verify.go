package fetch

import (
	"context"
	"strings"

	"github.com/shardkeeper/shardkeeper/agent/annexproc"
	"github.com/shardkeeper/shardkeeper/agent/ledger"
	"github.com/shardkeeper/shardkeeper/agent/plan"
	"github.com/shardkeeper/shardkeeper/annex"
)

// Verifier checks downloads while they stream: the agent's proxy
// (agent/webproxy, verify.go). git-annex 10.20230126 otherwise reads each
// file it got from the web again to hash it, which on a fast link takes
// about as long as the download.
type Verifier interface {
	// Expect announces the key's download from urls; false: the proxy
	// cannot check it (the key is not a plain hashing key with a size, or
	// a URL is not http://).
	Expect(key string, urls []string) bool
	// Forget ends the announcement; true when the last answer for key did
	// not match it.
	Forget(key string) (mismatch bool)
	// VerifyingEnv makes git-annex download through the checking address,
	// which serves announced downloads only.
	VerifyingEnv() []string
}

// mismatchText is the failure booked for a download the proxy refused.
const mismatchText = "the archive sent content that does not match the file's checksum"

// splitVerifiable announces to the proxy the keys it can check and returns
// them (in the planner's order), and the rest. A key that failed before or
// has a partial download goes to the rest: git-annex resumes a partial
// download with a Range request, whose bytes alone the proxy cannot check,
// and after a failure git-annex's own check is the one that says why.
func (d Deps) splitVerifiable(ctx context.Context, r *annexproc.Repo, cands []plan.Candidate) (checked, rest []plan.Candidate) {
	if d.Verify == nil {
		return nil, cands
	}
	var try []plan.Candidate
	for _, c := range cands {
		if _, failed := d.Failures.Of(string(c.Key)); failed || ledger.PartialOnDisk(r.Dir, c.Key) > 0 {
			rest = append(rest, c)
		} else {
			try = append(try, c)
		}
	}
	urls := urlsOf(ctx, r, try)
	for _, c := range try {
		if d.Verify.Expect(string(c.Key), urls[c.Key]) {
			checked = append(checked, c)
		} else {
			rest = append(rest, c)
		}
	}
	return checked, rest
}

// forget ends the proxy's announcements of cands.
func (d Deps) forget(cands []plan.Candidate) {
	for _, c := range cands {
		d.Verify.Forget(string(c.Key))
	}
}

// urlsOf reads the web URLs of cands from the git-annex branch (KEY.log.web).
// A key whose URLs cannot be read gets none (and is not checked).
func urlsOf(ctx context.Context, r *annexproc.Repo, cands []plan.Candidate) map[annex.Key][]string {
	out := map[annex.Key][]string{}
	if len(cands) == 0 {
		return out
	}
	names := make([]string, len(cands))
	for i, c := range cands {
		names[i] = annex.BranchRef + ":" + annex.URLLogPath(c.Key)
	}
	annex.Cat(ctx, r.Git(), names, func(i int, data []byte, found bool) error {
		if found {
			out[cands[i].Key] = ParseURLLog(data)
		}
		return nil
	})
	return out
}

// ParseURLLog is the URLs a web URL log says are present: lines
// "<timestamp> <status> <url>", the newest line per URL winning, status 1
// present.
func ParseURLLog(data []byte) []string {
	type entry struct {
		ts      annex.Timestamp
		present bool
	}
	latest := map[string]entry{}
	var order []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		ts, err := annex.ParseTimestamp(f[0])
		if err != nil {
			continue
		}
		e, seen := latest[f[2]]
		if !seen {
			order = append(order, f[2])
		}
		if !seen || !ts.Before(e.ts) {
			latest[f[2]] = entry{ts, f[1] == "1"}
		}
	}
	var urls []string
	for _, u := range order {
		if latest[u].present {
			urls = append(urls, u)
		}
	}
	return urls
}
