package childproc

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the parent: with CHILDPROC_PARENT set it
// starts a long sleep (tied to it or not), prints the sleep's pid and
// waits to be killed.
func TestMain(m *testing.M) {
	if mode := os.Getenv("CHILDPROC_PARENT"); mode != "" {
		cmd := exec.Command("sleep", "300")
		if mode == "tied" {
			DieWithParent(cmd)
		}
		if err := cmd.Start(); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println(cmd.Process.Pid)
		select {}
	}
	os.Exit(m.Run())
}

// childOfKilledParent starts the parent in mode, SIGKILLs it once its
// child runs, and returns the child's pid.
func childOfKilledParent(t *testing.T, mode string) int {
	t.Helper()
	parent := exec.Command(os.Args[0], "-test.run=^$")
	parent.Env = append(os.Environ(), "CHILDPROC_PARENT="+mode)
	out, err := parent.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	pid, perr := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || perr != nil {
		parent.Process.Kill()
		t.Fatalf("the parent printed %q (%v)", line, err)
	}
	parent.Process.Kill()
	parent.Wait()
	return pid
}

// alive: the process exists and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(f) > 0 && f[0] != "Z"
}

func TestChildEndsWithItsKilledParent(t *testing.T) {
	pid := childOfKilledParent(t, "tied")
	deadline := time.Now().Add(30 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the child %d still runs 30 s after its parent was killed", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The control: without DieWithParent the child outlives the parent,
// which is what the test above would miss if the kernel did nothing.
func TestUntiedChildOutlivesItsParent(t *testing.T) {
	pid := childOfKilledParent(t, "plain")
	defer syscall.Kill(pid, syscall.SIGKILL)
	if !alive(pid) {
		t.Fatalf("the untied child %d ended with its parent", pid)
	}
}
