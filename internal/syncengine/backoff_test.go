package syncengine

import (
	"testing"
	"time"
)

// simulateWait returns the reads a wait makes for a sync that ends at end,
// and how late the last one comes after the end. random is the jitter draw
// used for every interval (0: none, just under 1: the most).
func simulateWait(b Backoff, end time.Duration, random float64) (reads int, latency time.Duration) {
	var interval, elapsed time.Duration
	for elapsed < end {
		interval = b.next(interval, elapsed)
		elapsed += b.jittered(interval, random)
		reads++
	}
	return reads, elapsed - end
}

// minimumReads is the fewest reads any schedule needs to notice a sync that
// ends at end while keeping the promise: each interval at most
// max(floor, ratio × elapsed) and at most limit.
func minimumReads(floor time.Duration, ratio float64, limit, end time.Duration) int {
	reads := 0
	for elapsed := time.Duration(0); elapsed < end; reads++ {
		elapsed += min(max(floor, time.Duration(ratio*float64(elapsed))), limit)
	}
	return reads
}

// TestBackoffSchedule simulates the default schedule for syncs from 1 ms to
// 40 minutes: the end is always noticed within the promise, and the reads
// stay close to the minimum any schedule keeping the promise needs.
func TestBackoffSchedule(t *testing.T) {
	b := DefaultBackoff
	promise := func(end time.Duration) time.Duration {
		return min(max(b.Floor, time.Duration(b.Ratio*float64(end))), b.Max)
	}
	for end := time.Millisecond; end <= 40*time.Minute; end = time.Duration(float64(end)*1.003) + 1 {
		if _, latency := simulateWait(b, end, 0); latency > promise(end) {
			t.Fatalf("a sync of %s is noticed %s late, more than the promised %s", end, latency, promise(end))
		}
		reads, _ := simulateWait(b, end, 0.999)
		minimum := minimumReads(b.Floor, b.Ratio, b.Max, end)
		if reads > minimum+2 {
			t.Errorf("a sync of %s costs %d reads; the minimum is %d", end, reads, minimum)
		}
	}

	for _, tc := range []struct {
		end            time.Duration
		minimum, limit int
	}{
		{end: time.Minute, minimum: 42, limit: 44},
		{end: 30 * time.Minute, minimum: 86, limit: 94}, // 1.1x the minimum
	} {
		if got := minimumReads(b.Floor, b.Ratio, b.Max, tc.end); got != tc.minimum {
			t.Errorf("minimum reads for %s = %d, want %d", tc.end, got, tc.minimum)
		}
		reads, _ := simulateWait(b, tc.end, 0.999)
		if reads > tc.limit {
			t.Errorf("a sync of %s costs %d reads, want at most %d", tc.end, reads, tc.limit)
		}
		t.Logf("a sync of %s: %d reads, the minimum %d (%.2fx)", tc.end, reads, tc.minimum, float64(reads)/float64(tc.minimum))
	}
}
