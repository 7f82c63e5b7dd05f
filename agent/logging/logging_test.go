package logging

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecretsNeverLogged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "logs", "agent.log")
	log, closer, err := Open(path, nil, "s3cr3t-token-value")
	if err != nil {
		t.Fatal(err)
	}
	log.Info("push failed", "err", errors.New("git push: auth s3cr3t-token-value refused"), "token", "abc",
		"header", "Authorization: Bearer xyz123", "args", []string{"-c", "x=s3cr3t-token-value"})
	log.Warn("message with s3cr3t-token-value inside")
	closer.Close()
	data, _ := os.ReadFile(path)
	for _, bad := range []string{"s3cr3t", "xyz123", "abc"} {
		if strings.Contains(string(data), bad) {
			t.Errorf("log holds %q:\n%s", bad, data)
		}
	}
	if !strings.Contains(string(data), "push failed") || strings.Count(string(data), "[redacted]") < 4 {
		t.Errorf("log lost its content:\n%s", data)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("log mode %o, want 600", info.Mode().Perm())
	}
}
