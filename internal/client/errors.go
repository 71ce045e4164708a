package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/redact"
)

// Sentinel errors; an *APIError matches the ones for its status code with
// errors.Is, so callers never compare status codes themselves.
var (
	ErrNotFound     = errors.New("not found")
	ErrUnauthorized = errors.New("unauthorized")
	ErrForbidden    = errors.New("forbidden")
	ErrValidation   = errors.New("validation error")
	ErrRateLimited  = errors.New("rate limited")
	ErrServer       = errors.New("server error")
	// ErrRefused is any 4xx: the server answered and did not carry the
	// request out (invalid, not allowed, missing, or too many requests).
	ErrRefused = errors.New("refused")
	// ErrInternal is a 500: the server failed while handling the request,
	// which may have done part of its work first. Unlike a gateway's 502,
	// 503 or 504 it is an answer about the request itself.
	ErrInternal = errors.New("internal server error")
)

// nonFieldErrors is the key DRF uses for errors not tied to one field.
const nonFieldErrors = "non_field_errors"

// APIError is an error response from Label Studio, parsed from its error
// envelope ({"id","status_code","version","detail","exc_info",
// "validation_errors"}), from the plain {"message": …} body some views use, or
// (for non-JSON bodies such as Django's HTML 404 page) summarized without the
// body itself.
type APIError struct {
	StatusCode int
	Method     string
	Path       string // path only, never a query with secrets
	Detail     string
	// ValidationErrors maps a field name (or "non_field_errors") to messages.
	// Nested errors are flattened to dotted keys ("field.sub", "field[0]").
	ValidationErrors map[string][]string
	// Message is the plain {"message": …} body (non-synchronizable sync).
	Message string
	// Exception is the last line of exc_info ("S3StorageError: …"): Label
	// Studio answers an uncaught exception with detail "Unknown error" and,
	// when DEBUG is on, the traceback, whose last line says what failed.
	Exception string
	// Attempts is how many times the request was sent.
	Attempts int

	// envelope records that the body was Label Studio's own error envelope
	// (as opposed to a proxy's page); a 500 envelope is an application error
	// and is not retried.
	envelope bool
}

// Error reads like
// `POST /api/storages/s3/: 400 Validation error: bucket: Invalid bucket name; non_field_errors: …`.
// It never contains request bodies, headers or the server's raw body.
func (e *APIError) Error() string {
	var b strings.Builder
	if e.Method != "" || e.Path != "" {
		b.WriteString(strings.TrimSpace(e.Method + " " + e.Path))
		b.WriteString(": ")
	}
	b.WriteString(strconv.Itoa(e.StatusCode))
	detail := e.Detail
	if detail == "" && e.Message == "" && len(e.ValidationErrors) == 0 {
		detail = http.StatusText(e.StatusCode)
	}
	if detail != "" {
		b.WriteString(" ")
		b.WriteString(detail)
	}
	if e.Exception != "" {
		b.WriteString(": ")
		b.WriteString(e.Exception)
	}
	if len(e.ValidationErrors) > 0 {
		if detail != "" {
			b.WriteString(":")
		}
		b.WriteString(" ")
		b.WriteString(formatValidationErrors(e.ValidationErrors))
	}
	if e.Message != "" {
		if detail != "" || len(e.ValidationErrors) > 0 {
			b.WriteString(":")
		}
		b.WriteString(" ")
		b.WriteString(e.Message)
	}
	writeAttempts(&b, e.Attempts)
	return b.String()
}

// writeAttempts notes a call that was sent more than once.
func writeAttempts(b *strings.Builder, attempts int) {
	if attempts > 1 {
		fmt.Fprintf(b, " (after %d attempts)", attempts)
	}
}

// Is makes errors.Is(err, ErrNotFound) and friends work on an *APIError.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrValidation:
		return e.StatusCode == http.StatusBadRequest
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrServer:
		return e.StatusCode >= 500 && e.StatusCode <= 599
	case ErrRefused:
		return e.StatusCode >= 400 && e.StatusCode <= 499
	case ErrInternal:
		return e.StatusCode == http.StatusInternalServerError
	}
	return false
}

// FieldErrors returns the validation messages tied to a request field, keyed
// by field name (non_field_errors left out), so that a caller can attach them
// to the matching attribute. The map is a copy.
func (e *APIError) FieldErrors() map[string][]string {
	fields := make(map[string][]string)
	for key, msgs := range e.ValidationErrors {
		if key == nonFieldErrors {
			continue
		}
		fields[key] = append([]string(nil), msgs...)
	}
	return fields
}

// Messages returns the messages that are not tied to a field: the
// non_field_errors and the plain {"message"} text, or the detail when the
// error has no validation errors at all. Together with FieldErrors it covers
// everything the server said, each message once.
func (e *APIError) Messages() []string {
	msgs := append([]string(nil), e.ValidationErrors[nonFieldErrors]...)
	if e.Message != "" {
		msgs = append(msgs, e.Message)
	}
	if len(msgs) == 0 && len(e.ValidationErrors) == 0 && e.Detail != "" {
		if e.Exception != "" {
			msgs = append(msgs, e.Detail+": "+e.Exception)
		} else {
			msgs = append(msgs, e.Detail)
		}
	}
	return msgs
}

// formatValidationErrors renders the map in a stable order: fields
// alphabetically, non_field_errors last.
func formatValidationErrors(errs map[string][]string) string {
	keys := make([]string, 0, len(errs))
	for key := range errs {
		if key != nonFieldErrors {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	if _, ok := errs[nonFieldErrors]; ok {
		keys = append(keys, nonFieldErrors)
	}
	parts := make([]string, 0, len(keys))
	for _, key := range keys {
		parts = append(parts, key+": "+strings.Join(errs[key], " "))
	}
	return strings.Join(parts, "; ")
}

// redactSecrets replaces every form of the given secrets in the server's
// text: a proxy in front of Label Studio, or Label Studio with DEBUG on, may
// quote the request's headers back in its error.
func (e *APIError) redactSecrets(secrets []string) {
	r := redact.New(secrets)
	e.Detail = r.Redact(e.Detail)
	e.Message = r.Redact(e.Message)
	e.Exception = r.Redact(e.Exception)
	for field, msgs := range e.ValidationErrors {
		for i, msg := range msgs {
			e.ValidationErrors[field][i] = r.Redact(msg)
		}
	}
}

// parseAPIError turns an unsuccessful response into an *APIError. The raw
// body is never copied in unless it is Label Studio's JSON.
func parseAPIError(status int, method, path string, header http.Header, body []byte) *APIError {
	apiErr := &APIError{StatusCode: status, Method: method, Path: path}

	var decoded any
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	if strings.TrimSpace(string(body)) == "" {
		apiErr.Detail = summarizeBody(status, header, "empty response")
		return apiErr
	}
	if err := dec.Decode(&decoded); err != nil || dec.More() {
		apiErr.Detail = summarizeBody(status, header, "non-JSON response: "+mediaType(header))
		return apiErr
	}

	switch v := decoded.(type) {
	case map[string]any:
		_, hasStatus := v["status_code"]
		detail, hasDetail := v["detail"]
		validation, hasValidation := v["validation_errors"]
		message, hasMessage := v["message"]
		apiErr.envelope = hasStatus && (hasDetail || hasValidation)
		if hasDetail {
			apiErr.Detail = strings.Join(flattenMessages(detail), " ")
		}
		if hasValidation {
			apiErr.ValidationErrors = flattenValidation(validation)
		}
		if hasMessage {
			apiErr.Message = strings.Join(flattenMessages(message), " ")
		}
		if tb, ok := v["exc_info"].(string); ok {
			apiErr.Exception = TracebackLastLine(tb)
		}
		if !hasStatus && !hasDetail && !hasValidation && !hasMessage && status == http.StatusBadRequest {
			// DRF's own field map, e.g. {"bucket": ["…"]}, from a server
			// that does not wrap it in the envelope.
			apiErr.ValidationErrors = flattenValidation(v)
		}
		if apiErr.Detail == "" && apiErr.Message == "" && len(apiErr.ValidationErrors) == 0 {
			apiErr.Detail = http.StatusText(status)
		}
	case []any:
		// DRF raises a bare list for ValidationError(["…"]).
		apiErr.ValidationErrors = map[string][]string{nonFieldErrors: flattenMessages(v)}
	default:
		apiErr.Detail = strings.Join(flattenMessages(v), " ")
	}
	if len(apiErr.ValidationErrors) == 0 {
		apiErr.ValidationErrors = nil
	}
	return apiErr
}

// summarizeBody describes a body that is not worth (or not safe) showing.
func summarizeBody(status int, header http.Header, what string) string {
	text := http.StatusText(status)
	if status >= 300 && status < 400 {
		if loc := redirectTarget(header); loc != "" {
			what += "; redirected to " + loc + ", set the URL to the final address"
		}
	}
	if text == "" {
		return "(" + what + ")"
	}
	return text + " (" + what + ")"
}

// mediaType is the response's media type without parameters, or "unknown".
func mediaType(header http.Header) string {
	mt, _, err := mime.ParseMediaType(header.Get("Content-Type"))
	if err != nil || mt == "" {
		return "unknown content type"
	}
	return mt
}

// redirectTarget is the redirect's scheme, host and path, without a query
// or credentials.
func redirectTarget(header http.Header) string {
	loc, err := url.Parse(header.Get("Location"))
	if err != nil || loc == nil {
		return ""
	}
	loc.User = nil
	loc.RawQuery = ""
	loc.Fragment = ""
	return loc.String()
}

// flattenValidation turns DRF's validation_errors (lists of strings, plain
// strings, nested objects, lists of objects) into field → messages.
func flattenValidation(value any) map[string][]string {
	out := make(map[string][]string)
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch t := v.(type) {
		case map[string]any:
			for key, inner := range t {
				name := key
				if prefix != "" {
					name = prefix + "." + key
				}
				walk(name, inner)
			}
		case []any:
			for i, inner := range t {
				if _, nested := inner.(map[string]any); nested {
					walk(fmt.Sprintf("%s[%d]", prefix, i), inner)
					continue
				}
				out[keyOrNonField(prefix)] = append(out[keyOrNonField(prefix)], flattenMessages(inner)...)
			}
		default:
			out[keyOrNonField(prefix)] = append(out[keyOrNonField(prefix)], flattenMessages(t)...)
		}
	}
	walk("", value)
	return out
}

func keyOrNonField(key string) string {
	if key == "" {
		return nonFieldErrors
	}
	return key
}

// flattenMessages renders any JSON value as a list of message strings.
func flattenMessages(value any) []string {
	switch t := value.(type) {
	case nil:
		return nil
	case string:
		return []string{t}
	case json.Number:
		return []string{t.String()}
	case bool:
		return []string{strconv.FormatBool(t)}
	case []any:
		var msgs []string
		for _, inner := range t {
			msgs = append(msgs, flattenMessages(inner)...)
		}
		return msgs
	case map[string]any:
		var msgs []string
		for key, msgList := range flattenValidation(t) {
			for _, msg := range msgList {
				msgs = append(msgs, key+": "+msg)
			}
		}
		sort.Strings(msgs)
		return msgs
	}
	return []string{fmt.Sprint(value)}
}

// TracebackLastLine is the last line of a Python traceback: the exception
// ("S3StorageError: …"), which names what failed in one line.
func TracebackLastLine(traceback string) string {
	lines := strings.Split(strings.TrimSpace(traceback), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
