package testenv

import (
	"strings"
	"testing"
)

// outcomeRecorder records how require ends a test instead of ending it.
type outcomeRecorder struct {
	testing.TB
	skipped, failed string
}

func (r *outcomeRecorder) Helper()           {}
func (r *outcomeRecorder) Skip(args ...any)  { r.skipped = args[0].(string) }
func (r *outcomeRecorder) Fatal(args ...any) { r.failed = args[0].(string) }

func TestRequireSkipsOrFailsWhenAServerIsMissing(t *testing.T) {
	t.Setenv("LSTEST_TEST_PRESENT", "x")
	t.Setenv("LSTEST_TEST_MISSING", "")

	t.Setenv("LSTEST_REQUIRE_SERVICES", "")
	r := &outcomeRecorder{TB: t}
	require(r, "Test server", "LSTEST_TEST_PRESENT", "LSTEST_TEST_MISSING")
	if !strings.Contains(r.skipped, "LSTEST_TEST_MISSING") || r.failed != "" {
		t.Errorf("without LSTEST_REQUIRE_SERVICES: skipped %q, failed %q; want a skip naming the variable", r.skipped, r.failed)
	}

	t.Setenv("LSTEST_REQUIRE_SERVICES", "1")
	r = &outcomeRecorder{TB: t}
	require(r, "Test server", "LSTEST_TEST_MISSING")
	if !strings.Contains(r.failed, "LSTEST_TEST_MISSING") || r.skipped != "" {
		t.Errorf("with LSTEST_REQUIRE_SERVICES=1: skipped %q, failed %q; want a failure naming the variable", r.skipped, r.failed)
	}

	r = &outcomeRecorder{TB: t}
	if got := require(r, "Test server", "LSTEST_TEST_PRESENT"); got["LSTEST_TEST_PRESENT"] != "x" || r.failed != "" || r.skipped != "" {
		t.Errorf("present variable: %v, skipped %q, failed %q", got, r.skipped, r.failed)
	}
}
