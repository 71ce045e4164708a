package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// The garbage collector's settings unless the user sets GOGC or GOMEMLIMIT.
// A plan or apply allocates mostly short-lived request and state values, so
// collecting less often saves CPU (about a fifth of the provider's in an
// apply of 1000 storages, more with fewer; see BENCHMARKS.md). The soft
// memory limit makes the collector work harder as the heap nears it, which
// keeps the peak RSS within 1.2x that of a provider on Go's defaults.
const (
	gcPercent   = 400
	memoryLimit = 92 << 20
)

// tuneGarbageCollector applies them; stop ends following the live heap
// (for tests).
func tuneGarbageCollector() (stop func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	debug.SetGCPercent(gcPercent)
	return followLiveHeap(memoryLimit)
}

// followLiveHeap sets the memory limit to base, and after every collection
// to twice the live heap when that is more: a live heap near or above base
// (a much larger configuration than measured) is then collected the way Go's
// default does, at twice its size, instead of over and over. stop ends the
// following; the limit stays as it is.
func followLiveHeap(base int64) (stop func()) {
	var stopped atomic.Bool
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var afterCollection func(*gcSentinel)
	afterCollection = func(*gcSentinel) {
		if stopped.Load() {
			return
		}
		metrics.Read(sample)
		debug.SetMemoryLimit(limitFor(base, sample[0].Value.Uint64()))
		runtime.SetFinalizer(&gcSentinel{}, afterCollection)
	}
	debug.SetMemoryLimit(base)
	runtime.SetFinalizer(&gcSentinel{}, afterCollection)
	return func() { stopped.Store(true) }
}

// gcSentinel is unreachable as soon as it is made: its finalizer runs after
// the next collection. It holds a pointer so that it is never placed in the
// tiny allocator's shared blocks, whose finalizers may be delayed.
type gcSentinel struct{ _ *byte }

// limitFor is the memory limit for a live heap of live bytes.
func limitFor(base int64, live uint64) int64 {
	return max(base, int64(min(live, 1<<61))*2)
}
