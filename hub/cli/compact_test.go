package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shardkeeper/shardkeeper/hub/compact"
	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

func TestCompactCommand(t *testing.T) {
	collection := testkit.WriteFiles(t, map[string]string{"a.txt": "alpha", "b/c.txt": "charlie", "d": "delta"})
	data := filepath.Join(t.TempDir(), "data")
	if out, errOut, code := run(t, "build", "--from-dir", collection, "--base-url", "http://127.0.0.1:1/files", "--out", data, "--files-per-shard", "2"); code != 0 {
		t.Fatalf("build: %d\n%s%s", code, out, errOut)
	}
	// One more commit on shard-0002's branch: a history to forget.
	repo, env := filepath.Join(data, "shards", "shard-0002.git"), testkit.HandEnv(t)
	tip := strings.TrimSpace(testkit.Run(t, env, repo, "git", "commit-tree", "git-annex^{tree}", "-p", "git-annex", "-m", "more"))
	testkit.Run(t, env, repo, "git", "update-ref", "refs/heads/git-annex", tip)
	out, errOut, code := run(t, "compact", "--data", data, "--shard", "shard-0002", "--json")
	var res []compact.Result
	if err := json.Unmarshal([]byte(out), &res); code != 0 || err != nil || len(res) != 1 || res[0].Shard != "shard-0002" || res[0].Skipped || res[0].Commit == "" {
		t.Fatalf("compact --shard --json: %d %v\n%s%s", code, err, out, errOut)
	}
	out, _, code = run(t, "compact", "--data", data)
	if code != 0 || !strings.Contains(out, "shard-0001: ") || !strings.Contains(out, "shard-0002: already compact") {
		t.Errorf("compact:\n%s", out)
	}
	_, errOut, code = run(t, "compact", "--data", data, "--shard", "shard-0009")
	if code == 0 || !strings.Contains(errOut, "no shard named shard-0009") {
		t.Errorf("compact of an unknown shard: %d %s", code, errOut)
	}
	out, _, code = run(t, "health", "--data", data, "--json")
	if code != 0 || !strings.Contains(out, `"files":3`) && !strings.Contains(out, `"files": 3`) {
		t.Errorf("health after compaction: %d\n%s", code, out)
	}
}
