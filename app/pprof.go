package app

import (
	"net"
	"net/http"
	"net/http/pprof"
	"os"
)

// SHARDKEEPER_PPROF=127.0.0.1:PORT serves Go's profiles (heap, CPU,
// goroutines) at /debug/pprof/ on that loopback address, for measuring the
// agent's footprint (scripts/bench-footprint.sh). Not for donors; off when
// unset. Only loopback addresses are accepted.
func init() {
	addr := os.Getenv("SHARDKEEPER_PPROF")
	if addr == "" {
		return
	}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		os.Stderr.WriteString("shardkeeper: SHARDKEEPER_PPROF must be a loopback address such as 127.0.0.1:6060; ignored\n")
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	go http.ListenAndServe(addr, mux) //nolint:errcheck // a measuring aid: no server, no profile
}
