package syncengine

import (
	"context"
	"time"
)

// Clock is the engine's view of time, injected so that tests run without
// real sleeping.
type Clock interface {
	Now() time.Time
	// Sleep waits for d, or returns the context's error as soon as it ends.
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is the wall clock.
type RealClock struct{}

// Now returns the current time.
func (RealClock) Now() time.Time { return time.Now() }

// Sleep waits for d or until ctx ends.
func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
