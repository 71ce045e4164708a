package devserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// pythonStrOfJSON is Python's str() of a JSON value as json.loads decodes it, in
// the value's own key order: Label Studio's messages interpolate request
// values with "%s" (core/validators.py JSONSchemaValidator). Strings come out
// bare, containers as their repr.
func pythonStrOfJSON(raw json.RawMessage) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return string(raw)
	}
	if s, ok := tok.(string); ok {
		return s
	}
	var b strings.Builder
	if err := writePythonRepr(&b, dec, tok); err != nil {
		return string(raw)
	}
	return b.String()
}

// writePythonRepr writes repr() of the value starting with tok.
func writePythonRepr(b *strings.Builder, dec *json.Decoder, tok json.Token) error {
	switch v := tok.(type) {
	case json.Delim:
		open, closing := "[", "]"
		if v == '{' {
			open, closing = "{", "}"
		}
		b.WriteString(open)
		for i := 0; dec.More(); i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			next, err := dec.Token()
			if err != nil {
				return err
			}
			if v == '{' {
				b.WriteString(pythonStringRepr(fmt.Sprint(next)))
				b.WriteString(": ")
				if next, err = dec.Token(); err != nil {
					return err
				}
			}
			if err := writePythonRepr(b, dec, next); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return err
		}
		b.WriteString(closing)
	case string:
		b.WriteString(pythonStringRepr(v))
	case json.Number:
		b.WriteString(pythonNumberRepr(v))
	case bool:
		if v {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case nil:
		b.WriteString("None")
	}
	return nil
}

// pythonNumberRepr: json.loads makes integers of integer literals and
// floats of the rest; a float's repr is its shortest round-trip form, in
// exponent notation below 1e-4 and from 1e16 up.
func pythonNumberRepr(n json.Number) string {
	text := n.String()
	if !strings.ContainsAny(text, ".eE") {
		return strings.TrimPrefix(text, "+")
	}
	f, err := strconv.ParseFloat(text, 64)
	switch {
	case err != nil && math.IsInf(f, 0):
		if f > 0 {
			return "inf"
		}
		return "-inf"
	case err != nil:
		return text
	}
	if abs := math.Abs(f); abs != 0 && (abs < 1e-4 || abs >= 1e16) {
		return strconv.FormatFloat(f, 'e', -1, 64)
	}
	out := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(out, ".") {
		out += ".0"
	}
	return out
}

// pythonStringRepr is repr() of a str: single quotes unless the text has a
// single quote and no double quote; non-printable characters escaped.
func pythonStringRepr(s string) string {
	quote := '\''
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	var b strings.Builder
	b.WriteRune(quote)
	for _, r := range s {
		switch {
		case r == quote || r == '\\':
			b.WriteRune('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, `\x%02x`, r)
		case r > 0x7f && !unicode.IsPrint(r):
			if r <= 0xffff {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				fmt.Fprintf(&b, `\U%08x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteRune(quote)
	return b.String()
}
