package main

import (
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof" // served only when SHARDHUB_PPROF names an address
	"os"
	"runtime"
	"runtime/pprof"
)

// profile turns on the profiling that scripts/bench-scale.sh asks for
// through the environment (no flag: it is not for operators):
//
//	SHARDHUB_PPROF=127.0.0.1:6060  net/http/pprof on that address
//	SHARDHUB_CPUPROFILE=FILE       a CPU profile of the whole run
//	SHARDHUB_MEMPROFILE=FILE       a heap profile written at exit
//
// It returns what to run at exit.
func profile() func() {
	if addr := os.Getenv("SHARDHUB_PPROF"); addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			fmt.Fprintf(os.Stderr, "shardhub: SHARDHUB_PPROF: %v\n", err)
		} else {
			go http.Serve(ln, http.DefaultServeMux)
		}
	}
	var stop []func()
	if p := os.Getenv("SHARDHUB_CPUPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil && pprof.StartCPUProfile(f) == nil {
			stop = append(stop, func() { pprof.StopCPUProfile(); f.Close() })
		}
	}
	if p := os.Getenv("SHARDHUB_MEMPROFILE"); p != "" {
		stop = append(stop, func() {
			if f, err := os.Create(p); err == nil {
				runtime.GC()
				pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		})
	}
	return func() {
		for _, f := range stop {
			f()
		}
	}
}
