package syncengine

import "time"

// Backoff is the polling schedule. After the first read at Initial, each
// interval is the longest that keeps the latency promise: a sync that ends at
// elapsed time t is noticed at most max(Floor, Ratio × t) later, and at most
// Max later for very long syncs. Any shorter interval would only cost reads.
type Backoff struct {
	// Initial is the first interval: a short one, so that syncs that end at
	// once (inline mode, an empty bucket) are noticed early.
	Initial time.Duration
	// Floor is the interval allowed early on, when Ratio × elapsed is smaller.
	Floor time.Duration
	// Ratio bounds an interval to this fraction of the time already spent.
	Ratio float64
	// Max caps every interval.
	Max time.Duration
	// Jitter shortens each interval by a random fraction of up to Jitter, so
	// that many waits do not poll in lockstep; shortening (never lengthening)
	// keeps the latency bound, and each percent of it costs about a percent
	// more reads.
	Jitter float64
}

// DefaultBackoff: the first read after 100 ms; a sync of up to 3 s is noticed
// within 0.3 s, a longer one within 10% of its duration, and one of more than
// ten minutes within a minute.
//
// The price of that promise: between 3 s and 600 s each read may come at most
// 10% later than the one before, so a sync of t seconds needs at least
// 10 + ceil(ln(t/3)/ln(1.1)) reads: 42 for a minute, 86 for half an hour with
// the one-minute cap. This schedule makes 43 and 88 with the most jitter (the
// early 100 ms read is one more); TestBackoffSchedule checks both and the
// promise for every duration.
var DefaultBackoff = Backoff{
	Initial: 100 * time.Millisecond,
	Floor:   300 * time.Millisecond,
	Ratio:   0.1,
	Max:     time.Minute,
	Jitter:  0.01,
}

// next returns the interval after prev (the previous interval before jitter;
// 0 for the first one), once elapsed time has passed since the sync started.
func (b Backoff) next(prev, elapsed time.Duration) time.Duration {
	if prev == 0 {
		return b.Initial
	}
	return min(max(b.Floor, time.Duration(b.Ratio*float64(elapsed))), b.Max)
}

// jittered shortens interval by up to Jitter of it; random is in [0, 1).
func (b Backoff) jittered(interval time.Duration, random float64) time.Duration {
	interval -= time.Duration(b.Jitter * random * float64(interval))
	return max(interval, time.Millisecond)
}
