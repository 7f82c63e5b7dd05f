package annex

import (
	"context"
	"strings"
)

// BranchRef is the git-annex branch.
const BranchRef = "refs/heads/git-annex"

// DonorRefPrefix is where donors push their git-annex branches:
// refs/heads/donors/<uuid>/git-annex (see DonorRef).
const DonorRefPrefix = "refs/heads/donors/"

// DonorRef is the one ref a donor pushes its git-annex branch to on the
// hub. Its name ends in /git-annex, so git-annex merges it by itself.
func DonorRef(uuid string) string { return DonorRefPrefix + uuid + "/git-annex" }

// IsDonorRef reports whether ref is some donor's git-annex ref.
func IsDonorRef(ref string) bool {
	return strings.HasPrefix(ref, DonorRefPrefix) && strings.HasSuffix(ref, "/git-annex")
}

// DefaultTargetCopies is how many donor copies a file should have besides
// the archive's own (the web's), on both sides.
const DefaultTargetCopies = 3

// Tip is the commit ref points at, "" when it does not resolve to one:
// the one place a ref is looked up with `git rev-parse --verify`.
func (g Git) Tip(ctx context.Context, ref string) string {
	out, err := g.Output(ctx, nil, "rev-parse", "--verify", "--quiet", ref+"^{commit}")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// RefExists reports whether ref resolves to a commit in the repository.
func (g Git) RefExists(ctx context.Context, ref string) bool { return g.Tip(ctx, ref) != "" }
