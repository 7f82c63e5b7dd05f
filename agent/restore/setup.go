package restore

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// GitFunc runs git in a repository and returns its stdout.
type GitFunc func(ctx context.Context, dir string, args ...string) ([]byte, error)

// EnsureRemote sets up the shardhub-restore external special remote in a
// shard repository through .git/config only: no `git annex initremote`,
// which would write remote.log on the git-annex branch (the hub's push
// audit refuses that). annex-ignore keeps git-annex from using it unless
// named (copy --to); the high cost keeps it last.

func EnsureRemote(ctx context.Context, git GitFunc, dir, remoteUUID string) error {
	want := [][2]string{
		{"annex-externaltype", "shardkeeper"},
		{"annex-uuid", remoteUUID},
		{"annex-ignore", "true"},
		{"annex-cost", "1000"},
	}
	for _, kv := range want {
		name := "remote." + RemoteName + "." + kv[0]
		cur, _ := git(ctx, dir, "config", "--get", name)
		if strings.TrimSpace(string(cur)) == kv[1] {
			continue
		}
		if _, err := git(ctx, dir, "config", name, kv[1]); err != nil {
			return fmt.Errorf("set up the restore remote in %s: %w", dir, err)
		}
	}
	return nil
}

// EnsureProgram puts git-annex-remote-shardkeeper into binDir, pointing at
// the shardkeeper binary exe (a symlink; a copy on Windows, where links
// need privileges), and returns binDir for git-annex's PATH.
func EnsureProgram(binDir, exe string) (string, error) {
	if err := os.MkdirAll(binDir, 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w", binDir, err)
	}
	name := filepath.Join(binDir, ProgramName)
	if runtime.GOOS == "windows" {
		return binDir, copyIfChanged(exe, name+".exe")
	}
	if cur, err := os.Readlink(name); err == nil && cur == exe {
		return binDir, nil
	}
	os.Remove(name)
	if err := os.Symlink(exe, name); err != nil {
		return "", fmt.Errorf("link %s to %s: %w", name, exe, err)
	}
	return binDir, nil
}

func copyIfChanged(src, dst string) error {
	si, err := os.Stat(src)
	if err != nil {
		return err
	}
	if di, err := os.Stat(dst); err == nil && di.Size() == si.Size() && !di.ModTime().Before(si.ModTime()) {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".tmp"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o700)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

// PathWith puts dir first on a PATH list.
func PathWith(dir, path string) string {
	if path == "" {
		return dir
	}
	return dir + string(os.PathListSeparator) + path
}
