// Package redact scrubs secrets from the messages the provider shows or
// logs: each secret as sent, JSON-escaped, URL-encoded and, inside a
// credentials document, field by field, for servers that quote the request
// back. It knows nothing of Terraform or HTTP.
package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Placeholder replaces a secret in every message the provider shows or logs.
const Placeholder = "(sensitive value)"

// minSecretLength keeps a short value (an empty password, "1") from
// blanking unrelated words out of a message.
const minSecretLength = 4

// maxEncodingDepth is how many encodings deep a secret is looked for: a
// credentials document is escaped once inside the request body and again
// when a server quotes that body inside its own JSON message.
const maxEncodingDepth = 3

// credentialFieldNames are the fields of a credentials document (a GCS
// service-account or OAuth client JSON) whose values are secret on their
// own; a server may quote one of them without the rest of the document.
var credentialFieldNames = map[string]bool{
	"private_key":    true,
	"private_key_id": true,
	"client_secret":  true,
	"refresh_token":  true,
	"access_token":   true,
	"password":       true,
	"secret":         true,
}

// secretEncodings are the ways a server or proxy may have re-encoded a value
// before quoting it: escaped into a JSON string (Go's escaping of <, > and &,
// Python's ensure_ascii, PHP's escaped slash), or URL-encoded as a query or
// a path.
var secretEncodings = []func(string) string{
	func(s string) string { return jsonEscape(s, true) },
	func(s string) string { return jsonEscape(s, false) },
	asciiJSONEscape,
	func(s string) string { return strings.ReplaceAll(jsonEscape(s, false), "/", `\/`) },
	url.QueryEscape,
	url.PathEscape,
}

// Redactor scrubs a set of secrets, in every form found by secretForms, from
// messages. The zero value scrubs nothing.
type Redactor struct {
	forms []string // longest first, so an encoded form goes before its parts
}

// New returns a Redactor for secrets.
func New(secrets []string) Redactor {
	seen := map[string]bool{}
	var forms []string
	for _, secret := range secrets {
		for _, form := range secretForms(secret) {
			if !seen[form] {
				seen[form] = true
				forms = append(forms, form)
			}
		}
	}
	sort.SliceStable(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	return Redactor{forms: forms}
}

// Redact returns msg with every form of every secret replaced.
func (r Redactor) Redact(msg string) string {
	for _, form := range r.forms {
		msg = strings.ReplaceAll(msg, form, Placeholder)
	}
	return msg
}

// Secrets is Redact for a one-off message.
func Secrets(msg string, secrets []string) string {
	return New(secrets).Redact(msg)
}

// secretForms lists what to look for in a message for one secret: the value
// as sent; each secret field of a credentials document, and each line of a
// multi-line value such as a PEM key (a server may re-wrap or re-escape its
// line breaks); and each of those in every combination of up to
// maxEncodingDepth encodings.
func secretForms(secret string) []string {
	parts := secretParts(secret)
	seen := map[string]bool{}
	var forms []string
	level := parts
	for depth := 0; depth <= maxEncodingDepth && len(level) > 0; depth++ {
		var next []string
		for _, form := range level {
			if seen[form] || len(form) < minSecretLength {
				continue
			}
			seen[form] = true
			forms = append(forms, form)
			for _, encode := range secretEncodings {
				next = append(next, encode(form))
			}
		}
		level = next
	}
	return forms
}

// secretParts is the secret and the values inside it that are secret on
// their own.
func secretParts(secret string) []string {
	parts := []string{secret}
	var doc any
	if err := json.Unmarshal([]byte(secret), &doc); err == nil {
		// The lines of a pretty-printed document are its fields, most of
		// them no secret ("type", "client_email"): split its secret
		// fields only.
		parts = credentialFields(doc)
	}
	lines := append([]string(nil), parts...)
	if len(parts) == 0 || parts[0] != secret {
		parts = append([]string{secret}, parts...)
	}
	for _, value := range lines {
		if !strings.Contains(value, "\n") {
			continue
		}
		for _, line := range strings.Split(value, "\n") {
			line = strings.TrimSpace(line)
			// PEM armour ("-----BEGIN PRIVATE KEY-----") is no secret.
			if len(line) >= 16 && !strings.HasPrefix(line, "-----") {
				parts = append(parts, line)
			}
		}
	}
	return parts
}

// credentialFields returns the string values of the secret fields anywhere
// in a decoded JSON document.
func credentialFields(doc any) []string {
	var out []string
	switch v := doc.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for key := range v {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for _, key := range keys {
			if s, ok := v[key].(string); ok && isCredentialField(key) {
				out = append(out, s)
				continue
			}
			out = append(out, credentialFields(v[key])...)
		}
	case []any:
		for _, item := range v {
			out = append(out, credentialFields(item)...)
		}
	}
	return out
}

func isCredentialField(key string) bool {
	key = strings.ToLower(key)
	return credentialFieldNames[key] || strings.Contains(key, "secret") || strings.Contains(key, "password") || strings.Contains(key, "private_key")
}

// jsonEscape is s as the inside of a JSON string.
func jsonEscape(s string, escapeHTML bool) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s) // a string always encodes
	out := strings.TrimSuffix(buf.String(), "\n")
	return out[1 : len(out)-1]
}

// asciiJSONEscape is jsonEscape with every non-ASCII character as \uXXXX, as
// Python's json.dumps writes it by default.
func asciiJSONEscape(s string) string {
	escaped := jsonEscape(s, false)
	var b strings.Builder
	for _, r := range escaped {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case r > 0xFFFF:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}
