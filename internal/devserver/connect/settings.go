package connect

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// String returns a text setting; nil or absent is "", numbers are formatted
// the way Python's str() would for an integer-valued field.
func (s Settings) String(name string) string {
	switch v := s[name].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case float64:
		if v == math.Trunc(v) {
			return strconv.FormatInt(int64(v), 10)
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	default:
		return ""
	}
}

// Bool returns a boolean setting; anything but true is false.
func (s Settings) Bool(name string) bool {
	v, _ := s[name].(bool)
	return v
}

// Int returns an integer setting, or fallback when it is absent or not a
// number.
func (s Settings) Int(name string, fallback int) int {
	switch v := s[name].(type) {
	case float64:
		return int(v)
	case int:
		return v
	case int64:
		return int(v)
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return int(n)
		}
	case string:
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
			return n
		}
	}
	return fallback
}
