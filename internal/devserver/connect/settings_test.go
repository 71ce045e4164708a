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
