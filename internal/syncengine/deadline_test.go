package syncengine

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// unitDeadline bounds every engine call of the unit tests: on the fake
// clock a healthy sync returns at once, so a wait that never ends shows up
// here within seconds instead of at the package's test timeout.
const unitDeadline = 5 * time.Second

// WithinDeadline runs fn with a context that ends after limit, and fails the
// test with a message when fn was still running then (the wait never ended)
// or did not return soon after its context ended (it ignores cancellation).
// The integration tests (package syncengine_test) use it too.
func WithinDeadline(t testing.TB, limit time.Duration, what string, fn func(ctx context.Context)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), limit)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(ctx)
	}()
	select {
	case <-done:
	case <-time.After(limit + 5*time.Second):
		t.Fatalf("%s did not return within 5s after its context ended (deadline %s): the engine ignores cancellation", what, limit)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("%s was still running after %s: the wait never ended", what, limit)
	}
}

// SyncWithin is Engine.Sync under WithinDeadline.
func SyncWithin(t testing.TB, limit time.Duration, e *Engine, refs []client.StorageRef, onEvent func(Event)) []Result {
	t.Helper()
	var results []Result
	WithinDeadline(t, limit, "Sync", func(ctx context.Context) {
		results = e.Sync(ctx, refs, onEvent)
	})
	return results
}
