package main

import (
	"os"
	"runtime/debug"
)

// gcPercent is the garbage collector's GOGC unless the user sets GOGC or
// GOMEMLIMIT. A plan or apply allocates mostly short-lived request and state
// values over a small live heap (under 10 MiB at 1000 resources, since the
// calls' contexts are let go: protocol_server.go), so collecting at three
// times the live heap instead of twice saves about a fifth of the
// provider's CPU time in a plan of 1000 storages and keeps the peak RSS
// within 1.2x that of a provider on Go's defaults (BENCHMARKS.md).
const gcPercent = 200

// tuneGarbageCollector applies gcPercent.
func tuneGarbageCollector() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(gcPercent)
}
