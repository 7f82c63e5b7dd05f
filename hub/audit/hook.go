package audit

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/internal/atomicfile"
)

// Environment the server hands git http-backend, which passes it on to
// receive-pack and its hooks. Only the server sets them (a client can
// set nothing but HTTP_* variables through CGI).
const (
	// EnvDonor is the authenticated donor's UUID (unset when none).
	EnvDonor = "SHARDHUB_DONOR_UUID"
	// EnvNow is the server's clock as Unix nanoseconds, so the hook judges
	// timestamps by the same clock as the rest of the hub.
	EnvNow = "SHARDHUB_AUDIT_NOW"
	// EnvHook marks a process started as the pre-receive hook; a binary
	// that embeds the hub (or a test binary) checks it first thing.
	EnvHook = "SHARDHUB_AUDIT_HOOK"
)

// maxReported bounds the lines a rejected donor is shown.
const maxReported = 20

// RunHook is the pre-receive hook: it reads "<old> <new> <ref>" lines,
// audits them, prints every problem to stderr as "shardhub: ..." (the
// donor's git shows them as "remote: shardhub: ...") and returns the exit
// status: 0 lets the push land, anything else refuses all of it.
func RunHook(ctx context.Context, stdin io.Reader, stderr io.Writer, getenv func(string) string) int {
	now := time.Now()
	if ns, err := strconv.ParseInt(getenv(EnvNow), 10, 64); err == nil {
		now = time.Unix(0, ns)
	}
	p := Push{Git: annex.Git{}, Donor: getenv(EnvDonor), Now: now}
	sc := bufio.NewScanner(stdin)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 {
			p.Updates = append(p.Updates, Update{Old: f[0], New: f[1], Ref: f[2]})
		}
	}
	problems, err := Check(ctx, p)
	if err != nil {
		fmt.Fprintf(stderr, "shardhub: the hub could not check this push (%s); try again later\n", oneLine(err.Error()))
		return 1
	}
	for i, msg := range problems {
		if i == maxReported {
			fmt.Fprintf(stderr, "shardhub: ... and %d more problems\n", len(problems)-maxReported)
			break
		}
		fmt.Fprintf(stderr, "shardhub: %s\n", msg)
	}
	if len(problems) > 0 {
		fmt.Fprintln(stderr, "shardhub: push refused: a donor may change only its own location-log lines")
		return 1
	}
	return 0
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// HookScript is the pre-receive hook that runs exe's audit-hook command.
func HookScript(exe string) []byte {
	quoted := "'" + strings.ReplaceAll(exe, "'", `'\''`) + "'"
	return []byte("#!/bin/sh\n# Installed by shardhub serve: every push is audited by shardhub itself.\n" +
		EnvHook + "=1 exec " + quoted + " audit-hook\n")
}

// InstallHook makes repoDir's pre-receive hook run exe's audit, unless it
// already does.
func InstallHook(repoDir, exe string) error {
	path := filepath.Join(repoDir, "hooks", "pre-receive")
	want := HookScript(exe)
	if have, err := os.ReadFile(path); err == nil && bytes.Equal(have, want) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("install the push audit hook: %w", err)
	}
	if err := atomicfile.Write(path, want, 0o755); err != nil {
		return fmt.Errorf("install the push audit hook: %w", err)
	}
	return nil
}
