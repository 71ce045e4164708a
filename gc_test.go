package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// restoreGC puts the test process's collector settings back. The tests
// do not run in parallel: the settings are the process's.
func restoreGC(t *testing.T) {
	percent := debug.SetGCPercent(100)
	limit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	})
}

func TestTuneGarbageCollector(t *testing.T) {
	restoreGC(t)
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	t.Cleanup(tuneGarbageCollector())
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("GOGC is %d, want %d", got, gcPercent)
	}
	if got := debug.SetMemoryLimit(-1); got < memoryLimit {
		t.Errorf("memory limit is %d, want at least %d", got, memoryLimit)
	}
}

func TestLimitFor(t *testing.T) {
	for _, tc := range []struct {
		live uint64
		want int64
	}{{0, 100}, {40, 100}, {50, 100}, {70, 140}, {math.MaxUint64, 1 << 62}} {
		if got := limitFor(100, tc.live); got != tc.want {
			t.Errorf("limitFor(100, %d) = %d, want %d", tc.live, got, tc.want)
		}
	}
}

// TestFollowLiveHeap: after a collection the limit is twice the live heap
// when that exceeds the base.
func TestFollowLiveHeap(t *testing.T) {
	restoreGC(t)
	keep := make([][]byte, 64)
	for i := range keep {
		keep[i] = make([]byte, 64<<10) // 4 MiB live in all
	}
	t.Cleanup(followLiveHeap(1 << 20))
	for range 100 {
		runtime.GC()
		if limit := debug.SetMemoryLimit(-1); limit >= 8<<20 {
			runtime.KeepAlive(keep)
			return
		}
		time.Sleep(10 * time.Millisecond) // the finalizer runs on its own goroutine
	}
	t.Errorf("the memory limit stayed at %d with %d bytes live", debug.SetMemoryLimit(-1), 4<<20)
}

func TestTuneGarbageCollectorLeavesTheUsersSettings(t *testing.T) {
	for _, name := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(name, func(t *testing.T) {
			restoreGC(t)
			t.Setenv(name, "200")
			t.Cleanup(tuneGarbageCollector())
			if got := debug.SetGCPercent(100); got != 100 {
				t.Errorf("with %s set, GOGC became %d", name, got)
			}
			if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
				t.Errorf("with %s set, the memory limit became %d", name, got)
			}
		})
	}
}
