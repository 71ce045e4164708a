package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"testing"
)

// UniqueName returns prefix followed by 12 random lowercase hex digits: a
// valid bucket, container or key prefix that no other test uses.
func UniqueName(t testing.TB, prefix string) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("testenv: random name: %v", err)
	}
	return prefix + hex.EncodeToString(b)
}
