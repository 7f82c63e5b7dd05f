package agent

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTailFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "agent.log")
	var b strings.Builder
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&b, "line %d %s\n", i, strings.Repeat("x", 40))
	}
	os.WriteFile(p, []byte(b.String()), 0o600)
	lines, err := TailFile(p, 3)
	if err != nil || len(lines) != 3 || !strings.HasPrefix(lines[2], "line 4999 ") || !strings.HasPrefix(lines[0], "line 4997 ") {
		t.Errorf("tail 3: %v %v", lines, err)
	}
	if lines, _ := TailFile(filepath.Join(t.TempDir(), "none"), 5); len(lines) != 0 {
		t.Errorf("missing log: %v", lines)
	}
}
