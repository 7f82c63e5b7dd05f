package testkit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Result is what a run of a binary did.
type Result struct {
	Code           int
	Stdout, Stderr string
}

// RunBin runs a binary with args and returns what happened; it fails the
// test only when the binary cannot be started.
func RunBin(t testing.TB, bin string, args ...string) Result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := Result{Stdout: out.String(), Stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.Code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("start %s %v: %v", bin, args, err)
	}
	return r
}

// MustRunBin is RunBin that fails the test on a non-zero exit.
func MustRunBin(t testing.TB, bin string, args ...string) Result {
	t.Helper()
	r := RunBin(t, bin, args...)
	if r.Code != 0 {
		t.Fatalf("%s %v: exit %d\nstdout: %s\nstderr: %s", filepath.Base(bin), args, r.Code, r.Stdout, r.Stderr)
	}
	return r
}

// BinariesMain is TestMain for a package that runs the real programs: it
// builds the headless shardkeeper and shardhub of the module at root into
// *shardkeeper and *shardhub, runs the tests on a donor's fresh account
// (DonorMachine), removes the binaries and exits with the tests' code.
func BinariesMain(m interface{ Run() int }, root string, shardkeeper, shardhub *string) {
	dir, sk, sh, err := BuildBinaries(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	*shardkeeper, *shardhub = sk, sh
	cleanup := DonorMachine()
	code := m.Run()
	cleanup()
	os.RemoveAll(dir)
	os.Exit(code)
}

// DonorConf is what tests read of a joined donor's config.json.
type DonorConf struct {
	Hub       string `json:"hub"`
	DonorUUID string `json:"donor_uuid"`
	Token     string `json:"token"`
}

// ReadDonor reads the config.json in a joined donor's home; the test fails
// when there is none or it has no token yet.
func ReadDonor(t testing.TB, home string) DonorConf {
	t.Helper()
	var c DonorConf
	data, err := os.ReadFile(filepath.Join(home, "config.json"))
	if err == nil {
		err = json.Unmarshal(data, &c)
	}
	if err != nil || c.Token == "" {
		t.Fatalf("read the donor's config in %s: %v", home, err)
	}
	return c
}

// ContentBudget sets a joined donor's budget (shardkeeper at bin, home
// home) to content bytes above what the budget also counts before any
// file: its shard repositories' own files and the room the agent keeps for
// them to grow (status's repository_bytes and growth_room_bytes). Tests
// that reason about content use it; it returns the budget.
func ContentBudget(t testing.TB, bin, home string, content int64) int64 {
	t.Helper()
	var st struct {
		Budget struct {
			RepositoryBytes int64 `json:"repository_bytes"`
			GrowthRoomBytes int64 `json:"growth_room_bytes"`
		} `json:"budget"`
	}
	r := MustRunBin(t, bin, "status", "--home", home, "--json")
	if err := json.Unmarshal([]byte(r.Stdout), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r.Stdout)
	}
	if st.Budget.RepositoryBytes == 0 {
		t.Fatalf("status of %s says its repositories take nothing", home)
	}
	budget := st.Budget.RepositoryBytes + st.Budget.GrowthRoomBytes + content
	MustRunBin(t, bin, "budget", "--home", home, "--max", fmt.Sprint(budget), "--yes")
	return budget
}

// StartLogged starts cmd with its output appended to the file at logPath,
// where a failing test can print it.
func StartLogged(t testing.TB, cmd *exec.Cmd, logPath string) {
	t.Helper()
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
}

// Answers reports whether a GET of url answers 200 OK: a server started
// in the background is serving.
func Answers(url string) bool {
	resp, err := http.Get(url)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
