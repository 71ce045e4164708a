package syncengine

import "time"

// Backoff is the polling schedule. Intervals grow geometrically from Initial
// by Factor, but never beyond max(Floor, Ratio × elapsed) nor Max: a sync
// that ends at elapsed time t is therefore noticed at most
// max(Floor, Ratio × t) later (Max for very long syncs), while long syncs
// cost few requests because the interval grows with the time already spent.
type Backoff struct {
	// Initial is the first interval.
	Initial time.Duration
	// Factor multiplies the previous interval.
	Factor float64
	// Floor is the interval allowed early on, when Ratio × elapsed is smaller.
	Floor time.Duration
	// Ratio bounds an interval to this fraction of the time already spent.
	Ratio float64
	// Max caps every interval.
	Max time.Duration
	// Jitter shortens each interval by a random fraction of up to Jitter, so
	// that many waits do not poll in lockstep; shortening (never lengthening)
	// keeps the latency bound.
	Jitter float64
}

// DefaultBackoff: the first poll after 100 ms; a one-second sync is noticed
// within 0.3 s, a sync of t seconds (t > 3) within 10% of t, and a sync of
// more than ten minutes within a minute.
//
// The price of that bound: any schedule whose intervals stay within
// max(0.3 s, 10% of the time spent) needs at least about 10 + 10·ln(t/3)
// reads for a sync of t seconds, 40 for a minute (this one makes about 47,
// the list calls included, and about 100 for half an hour). Fewer reads
// than that for a minute-long sync would mean noticing its end later.
var DefaultBackoff = Backoff{
	Initial: 100 * time.Millisecond,
	Factor:  1.5,
	Floor:   300 * time.Millisecond,
	Ratio:   0.1,
	Max:     time.Minute,
	Jitter:  0.2,
}

// next returns the interval after prev (the previous interval before jitter;
// 0 for the first one), once elapsed time has passed since the sync started.
func (b Backoff) next(prev, elapsed time.Duration) time.Duration {
	interval := b.Initial
	if prev > 0 {
		interval = time.Duration(float64(prev) * b.Factor)
	}
	limit := max(b.Floor, time.Duration(b.Ratio*float64(elapsed)))
	return min(interval, limit, b.Max)
}

// jittered shortens interval by up to Jitter of it; random is in [0, 1).
func (b Backoff) jittered(interval time.Duration, random float64) time.Duration {
	interval -= time.Duration(b.Jitter * random * float64(interval))
	return max(interval, time.Millisecond)
}
