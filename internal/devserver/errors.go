package devserver

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
)

// apiError is an error a handler answers with Label Studio's envelope
// (API.md 9). fields non-nil makes it a 400 "Validation error" whose
// validation_errors is fields.
type apiError struct {
	status int
	detail string
	fields map[string]any
	// exception is the Python class of an exception DRF does not handle
	// (uncaught): the envelope then says "Unknown error" and carries the
	// traceback, whose last line is "<exception>: <detail>".
	exception string
}

// uncaught is a non-DRF exception escaping a view: a 500 whose envelope
// (core/utils/common.py custom_exception_handler, as label_studio's
// test_exception asserts) has detail "Unknown error" and, with DEBUG and
// DEBUG_MODAL_EXCEPTIONS (both default true), the traceback in exc_info.
func uncaught(exception, message string) *apiError {
	return &apiError{status: http.StatusInternalServerError, detail: message, exception: exception}
}

const msgUnknownError = "Unknown error"

func (e *apiError) Error() string { return e.detail }

// notFound is DRF's get_object_or_404 message, which names the model.
func notFound(model string) *apiError {
	return &apiError{status: http.StatusNotFound, detail: fmt.Sprintf("No %s matches the given query.", model)}
}

// validationError is a 400 with a field map.
func validationError(fields map[string]any) *apiError {
	return &apiError{status: http.StatusBadRequest, detail: "Validation error", fields: fields}
}

// fieldError is a 400 with one message on one field ("" = non_field_errors).
func fieldError(field, message string) *apiError {
	if field == "" {
		field = nonFieldErrors
	}
	return validationError(map[string]any{field: []string{message}})
}

const nonFieldErrors = "non_field_errors"

// labelStudioMessage is an error whose text is one of Label Studio's
// user-facing messages, verbatim (capitalised and punctuated as shown to
// users).
type labelStudioMessage string

func (m labelStudioMessage) Error() string { return string(m) }

// newUUID returns a random RFC 4122 version 4 UUID.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("devserver: no randomness: %v", err))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// writeEnvelope writes Label Studio's error envelope.
func (s *Server) writeEnvelope(w http.ResponseWriter, e *apiError) {
	body := map[string]any{
		"id":          newUUID(),
		"status_code": e.status,
		"version":     s.cfg.Version,
		"detail":      e.detail,
		"exc_info":    nil,
	}
	if e.exception != "" {
		body["detail"] = msgUnknownError
		if !s.cfg.HideExceptionInfo {
			body["exc_info"] = "Traceback (most recent call last):\n" +
				"  File \"/label-studio/label_studio/core/utils/common.py\", line 1, in view\n" +
				e.exception + ": " + e.detail + "\n"
		}
	}
	if e.fields != nil {
		body["validation_errors"] = e.fields
	}
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", "Token")
	}
	writeJSON(w, e.status, body)
}

// writeFound answers the object with id as render shows it, or Django's
// 404 for model.
func writeFound[T any](w http.ResponseWriter, objects map[int64]T, id int64, model string, render func(T) map[string]any) error {
	obj, ok := objects[id]
	if !ok {
		return notFound(model)
	}
	writeJSON(w, http.StatusOK, render(obj))
	return nil
}

// requireFound is get_object's 404 for id in the table table selects,
// checked under the lock before the request body is read.
func requireFound[T any](s *Server, table func(*state) map[int64]T, id int64, model string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := table(s.st)[id]; !ok {
		return notFound(model)
	}
	return nil
}

// writeJSON writes v as the JSON response body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		data = []byte(`{"detail":"response encoding failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// writeDjangoNotFound answers an unmatched URL the way Django does: an HTML
// page, not the JSON envelope.
func writeDjangoNotFound(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	_, _ = fmt.Fprintf(w, "<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n  <h1>Not Found</h1><p>The requested resource <code>%s</code> was not found on this server.</p>\n</body>\n</html>\n",
		html.EscapeString(r.URL.Path))
}
