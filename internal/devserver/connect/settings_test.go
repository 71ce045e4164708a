package connect

import (
	"encoding/json"
	"testing"
)

func TestSettingsConversions(t *testing.T) {
	s := Settings{
		"text": "x", "float": float64(6379), "fraction": 1.5, "number": json.Number("42"),
		"numeric text": " 7 ", "null": nil, "yes": true,
	}
	for name, want := range map[string]string{"text": "x", "float": "6379", "fraction": "1.5", "number": "42", "null": "", "absent": ""} {
		if got := s.String(name); got != want {
			t.Errorf("String(%q) = %q, want %q", name, got, want)
		}
	}
	for name, want := range map[string]int{"float": 6379, "number": 42, "numeric text": 7, "text": -1, "null": -1, "absent": -1} {
		if got := s.Int(name, -1); got != want {
			t.Errorf("Int(%q) = %d, want %d", name, got, want)
		}
	}
	if !s.Bool("yes") || s.Bool("text") || s.Bool("absent") {
		t.Error("Bool is true only for a true value")
	}
}

func TestPrefixes(t *testing.T) {
	for prefix, want := range map[string]string{"": "", "a": "a/", "a/": "a/", "a//": "a/", "a/b": "a/b/"} {
		if got := listPrefix(prefix); got != want {
			t.Errorf("listPrefix(%q) = %q, want %q", prefix, got, want)
		}
	}
	// Export keys are joined as Label Studio joins them: no normalising.
	for _, tt := range []struct{ prefix, key, want string }{{"", "1", "1"}, {"out", "1", "out/1"}, {"out/", "1", "out//1"}} {
		if got := objectKey(tt.prefix, tt.key); got != tt.want {
			t.Errorf("objectKey(%q, %q) = %q, want %q", tt.prefix, tt.key, got, tt.want)
		}
	}
}
