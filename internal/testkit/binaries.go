package testkit

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// BuildBinaries builds the headless shardkeeper and shardhub binaries of
// the module at root into a new temporary folder (readable by every
// user: a test may run them as another one), for tests that run the real
// programs. Remove dir when done.
func BuildBinaries(root string) (dir, shardkeeper, shardhub string, err error) {
	if dir, err = os.MkdirTemp("", "shardkeeper-bin-"); err != nil {
		return "", "", "", err
	}
	os.Chmod(dir, 0o755)
	shardkeeper, shardhub = filepath.Join(dir, "shardkeeper"), filepath.Join(dir, "shardhub")
	for _, b := range [][]string{
		{"-tags", "nogui", "-o", shardkeeper, "."},
		{"-o", shardhub, "./hub/cmd/shardhub"},
	} {
		cmd := exec.Command("go", append([]string{"build"}, b...)...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			os.RemoveAll(dir)
			return "", "", "", fmt.Errorf("build %v: %w\n%s", b, err, out)
		}
	}
	return dir, shardkeeper, shardhub, nil
}
