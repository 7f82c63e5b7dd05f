package shard

// Git plumbing the new-shard writers share: fast-import's marks, joining
// trees, and a commit of a tree.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
)

// readMarks reads fast-import's --export-marks file: mark -> object.
func readMarks(path string) (map[int]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read fast-import marks: %w", err)
	}
	marks := map[int]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		m, sha, ok := strings.Cut(line, " ")
		n, err := strconv.Atoi(strings.TrimPrefix(m, ":"))
		if !ok || err != nil {
			return nil, fmt.Errorf("read fast-import marks: bad line %q", line)
		}
		marks[n] = sha
	}
	return marks, nil
}

// joinTrees makes one tree of the top-level entries of every commit's
// tree; no two may share a name.
func joinTrees(ctx context.Context, g annex.Git, commits []string) (string, error) {
	var in bytes.Buffer
	for _, c := range commits {
		in.WriteString(c + "^{tree}\n")
	}
	out, err := g.Output(ctx, &in, "cat-file", "--batch")
	if err != nil {
		return "", err
	}
	var tree bytes.Buffer
	r := bufio.NewReader(bytes.NewReader(out))
	for range commits {
		header, err := r.ReadString('\n')
		f := strings.Fields(header)
		if err != nil || len(f) != 3 || f[1] != "tree" {
			return "", fmt.Errorf("read a partial tree: unexpected %q", strings.TrimSpace(header))
		}
		size, _ := strconv.Atoi(f[2])
		raw := make([]byte, size+1)
		if _, err := io.ReadFull(r, raw); err != nil {
			return "", fmt.Errorf("read a partial tree: %w", err)
		}
		if err := rawTreeToText(raw[:size], &tree); err != nil {
			return "", err
		}
	}
	sha, err := g.Output(ctx, &tree, "mktree")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(sha)), nil
}

// rawTreeToText turns a tree object ("<mode> <name>\0<20-byte id>"...)
// into mktree's input ("<mode> <type> <id>\t<name>\n").
func rawTreeToText(raw []byte, out *bytes.Buffer) error {
	for len(raw) > 0 {
		sp := bytes.IndexByte(raw, ' ')
		nul := bytes.IndexByte(raw, 0)
		if sp < 0 || nul < sp || len(raw) < nul+21 {
			return fmt.Errorf("read a partial tree: malformed entry")
		}
		mode, name := string(raw[:sp]), string(raw[sp+1:nul])
		typ := "blob"
		if mode == "40000" {
			mode, typ = "040000", "tree"
		}
		fmt.Fprintf(out, "%s %s %s\t%s\n", mode, typ, hex.EncodeToString(raw[nul+1:nul+21]), name)
		raw = raw[nul+21:]
	}
	return nil
}

// commitTree makes a first commit of tree, as shardhub.
func commitTree(ctx context.Context, g annex.Git, tree string, now time.Time, msg string) (string, error) {
	date := fmt.Sprintf("%d +0000", now.Unix())
	g.Env = append(append([]string{}, g.Env...),
		"GIT_AUTHOR_NAME="+committerName, "GIT_AUTHOR_EMAIL="+committerEmail, "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME="+committerName, "GIT_COMMITTER_EMAIL="+committerEmail, "GIT_COMMITTER_DATE="+date)
	sha, err := g.Output(ctx, nil, "commit-tree", tree, "-m", msg)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(sha)), nil
}
