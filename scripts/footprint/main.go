// Command footprint is scripts/bench-footprint.sh's helper: it writes a
// thousand-dir manifest of N files whose content it can serve itself,
// serves that content as an HTTP origin on loopback, measures a folder the
// way du does, and reads a process's resident memory and CPU time.
//
//	footprint manifest N BASEURL >manifest.csv
//	footprint origin 127.0.0.1:PORT
//	footprint du DIR                 (KiB in allocated blocks, like du -sk)
//	footprint rss PID                (VmRSS in KiB)
//	footprint cpu PID                (user+system CPU seconds so far)
//	footprint addshards HOME OTHER...  (HOME's config takes the shards of the
//	                                  OTHER homes: one agent with several shards)
//	footprint used HOME              (used_by_shardkeeper of status --json on stdin)
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

func main() {
	if len(os.Args) < 2 || (len(os.Args) < 3 && os.Args[1] != "used") {
		fmt.Fprintln(os.Stderr, "usage: footprint manifest N BASEURL | origin ADDR | du DIR | rss PID | cpu PID")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "manifest":
		err = manifest(os.Args[2], os.Args[3])
	case "origin":
		err = http.ListenAndServe(os.Args[2], http.HandlerFunc(serve))
	case "du":
		var n int64
		n, err = du(os.Args[2])
		fmt.Println(n / 1024)
	case "rss":
		err = rss(os.Args[2])
	case "cpu":
		err = cpu(os.Args[2])
	case "addshards":
		err = addShards(os.Args[2], os.Args[3:])
	case "used":
		err = used()
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "footprint:", err)
		os.Exit(1)
	}
}

// content is file i's bytes: its size is 1000 + i%4000, filled with the
// SHA-256 of its number, so the origin needs no disk.
func content(i int) []byte {
	seed := sha256.Sum256([]byte(strconv.Itoa(i)))
	b := make([]byte, 1000+i%4000)
	for j := range b {
		b[j] = seed[j%len(seed)]
	}
	return b
}

func manifest(ns, base string) error {
	n, err := strconv.Atoi(ns)
	if err != nil {
		return err
	}
	w := os.Stdout
	fmt.Fprintln(w, "path,size,sha256,url")
	for i := 0; i < n; i++ {
		p := fmt.Sprintf("repository/%d/%d.cbz", i/1000*1000, i)
		b := content(i)
		sum := sha256.Sum256(b)
		fmt.Fprintf(w, "%s,%d,%s,%s/%s\n", p, len(b), hex.EncodeToString(sum[:]), base, p)
	}
	return nil
}

func serve(w http.ResponseWriter, r *http.Request) {
	i, err := strconv.Atoi(strings.TrimSuffix(path.Base(r.URL.Path), ".cbz"))
	if err != nil || i < 0 {
		http.NotFound(w, r)
		return
	}
	b := content(i)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	if r.Method != http.MethodHead {
		w.Write(b)
	}
}

// du counts allocated blocks of everything under dir, each inode once.
func du(dir string) (int64, error) {
	seen := map[uint64]bool{}
	var n int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		st := info.Sys().(*syscall.Stat_t)
		if !seen[st.Ino] {
			seen[st.Ino] = true
			n += st.Blocks * 512
		}
		return nil
	})
	return n, err
}

func procField(pid, file, field string) (string, error) {
	b, err := os.ReadFile(filepath.Join("/proc", pid, file))
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", fmt.Errorf("no %s in /proc/%s/%s", field, pid, file)
}

func rss(pid string) error {
	v, err := procField(pid, "status", "VmRSS:")
	if err == nil {
		fmt.Println(strings.Fields(v)[0])
	}
	return err
}

// cpu is utime+stime of /proc/PID/stat in seconds (100 ticks a second).
func cpu(pid string) error {
	b, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		return err
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	fmt.Printf("%.2f\n", float64(u+s)/100)
	return nil
}

// addShards appends the shards of other donors' homes to home's config: a
// way to measure one agent with several big shards without filling them
// (the hub hands a donor another shard only once its shards need nothing).
func addShards(home string, others []string) error {
	read := func(h string) (map[string]any, error) {
		b, err := os.ReadFile(filepath.Join(h, "config.json"))
		if err != nil {
			return nil, err
		}
		var m map[string]any
		return m, json.Unmarshal(b, &m)
	}
	cfg, err := read(home)
	if err != nil {
		return err
	}
	shards, _ := cfg["shards"].([]any)
	for _, o := range others {
		oc, err := read(o)
		if err != nil {
			return err
		}
		more, _ := oc["shards"].([]any)
		shards = append(shards, more...)
	}
	cfg["shards"] = shards
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(home, "config.json"), b, 0o600)
}

// used prints budget.disk.used_by_shardkeeper of `status --json` on stdin.
func used() error {
	var st struct {
		Budget struct {
			Disk struct {
				Used int64 `json:"used_by_shardkeeper"`
			} `json:"disk"`
		} `json:"budget"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&st); err != nil {
		return err
	}
	fmt.Println(st.Budget.Disk.Used)
	return nil
}
