package syncengine

import (
	"bytes"
	"encoding/json"
)

func equalCounts(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func equalStrings(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// runIdentity is what tells one sync run from another in a storage's meta:
// the attempt counter and the time it was queued (API.md §6.2, §7), as
// compact JSON. A server that keeps no meta gives "".
func runIdentity(meta json.RawMessage) string {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(meta, &fields); err != nil {
		return ""
	}
	var id bytes.Buffer
	for _, key := range []string{"attempts", "time_queued"} {
		if raw, ok := fields[key]; ok {
			_ = json.Compact(&id, raw)
		}
		id.WriteByte('|')
	}
	return id.String()
}
