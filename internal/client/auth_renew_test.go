package client

import (
	"testing"
	"time"
)

func TestReplaceAt(t *testing.T) {
	issued := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		lifetime time.Duration
		want     time.Duration // after issued
	}{
		{"Label Studio's five minutes: 30 s before expiry", 5 * time.Minute, 4*time.Minute + 30*time.Second},
		{"a minute: halfway and the margin agree", time.Minute, 30 * time.Second},
		{"short-lived: halfway, so it is reused", 10 * time.Second, 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := replaceAt(issued, issued.Add(tc.lifetime)); !got.Equal(issued.Add(tc.want)) {
				t.Errorf("replaceAt = %v after issue, want %v", got.Sub(issued), tc.want)
			}
		})
	}
	if got := replaceAt(issued, time.Time{}); !got.IsZero() {
		t.Errorf("a token without exp is never replaced early; got %v", got)
	}
}
