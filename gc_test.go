package main

import (
	"math"
	"runtime/debug"
	"testing"
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
	tuneGarbageCollector()
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("GOGC is %d, want %d", got, gcPercent)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("the memory limit became %d, want none", got)
	}
}

func TestTuneGarbageCollectorLeavesTheUsersSettings(t *testing.T) {
	for _, name := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(name, func(t *testing.T) {
			restoreGC(t)
			t.Setenv(name, "200")
			tuneGarbageCollector()
			if got := debug.SetGCPercent(100); got != 100 {
				t.Errorf("with %s set, GOGC became %d", name, got)
			}
		})
	}
}
