package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"testing"
)

// The classes callers act on without knowing status codes: a refusal did
// nothing, an internal error may have done part of the work, and a gateway's
// answer (or no answer) says nothing of what the server did.
func TestErrorClasses(t *testing.T) {
	for status, want := range map[int][]error{
		400: {ErrRefused, ErrValidation},
		401: {ErrRefused, ErrUnauthorized},
		403: {ErrRefused, ErrForbidden},
		404: {ErrRefused, ErrNotFound},
		429: {ErrRefused, ErrRateLimited},
		500: {ErrInternal, ErrServer},
		502: {ErrServer},
		503: {ErrServer},
		504: {ErrServer},
	} {
		err := fmt.Errorf("wrapped: %w", &APIError{StatusCode: status})
		for _, class := range []error{ErrRefused, ErrInternal, ErrServer, ErrValidation, ErrUnauthorized, ErrForbidden, ErrNotFound, ErrRateLimited} {
			if got, wanted := errors.Is(err, class), slices.Contains(want, class); got != wanted {
				t.Errorf("%d: errors.Is(err, %v) = %v, want %v", status, class, got, wanted)
			}
		}
	}
	if reqErr := (&RequestError{Method: "POST", Path: "/api/storages/s3/1/sync", Err: ErrRequestTimeout}); errors.Is(reqErr, ErrRefused) || errors.Is(reqErr, ErrInternal) {
		t.Errorf("a request without an answer is neither refused nor an internal error")
	}
}

func TestErrorParsing(t *testing.T) {
	for _, tc := range []struct {
		name        string
		status      int
		contentType string
		body        string
		wantError   string
		wantIs      error
		wantFields  map[string][]string
		wantMsgs    []string
	}{
		{
			name:   "validation envelope",
			status: 400,
			body: envelope(400, "Validation error",
				`{"bucket":["Invalid bucket name"],"non_field_errors":["Cannot find bucket x in S3"]}`),
			wantError:  "POST /api/storages/s3/: 400 Validation error: bucket: Invalid bucket name; non_field_errors: Cannot find bucket x in S3",
			wantIs:     ErrValidation,
			wantFields: map[string][]string{"bucket": {"Invalid bucket name"}},
			wantMsgs:   []string{"Cannot find bucket x in S3"},
		},
		{
			name:       "validation values as string and nested",
			status:     400,
			body:       envelope(400, "Validation error", `{"path":"not a subdirectory","options":{"ttl":["too big"]},"rules":[{"name":["required"]}]}`),
			wantError:  "POST /api/storages/s3/: 400 Validation error: options.ttl: too big; path: not a subdirectory; rules[0].name: required",
			wantIs:     ErrValidation,
			wantFields: map[string][]string{"path": {"not a subdirectory"}, "options.ttl": {"too big"}, "rules[0].name": {"required"}},
			wantMsgs:   nil,
		},
		{
			name:       "not found envelope",
			status:     404,
			body:       envelope(404, "No S3ImportStorage matches the given query.", ""),
			wantError:  "POST /api/storages/s3/: 404 No S3ImportStorage matches the given query.",
			wantIs:     ErrNotFound,
			wantFields: map[string][]string{},
			wantMsgs:   []string{"No S3ImportStorage matches the given query."},
		},
		{
			name:        "django html 404",
			status:      404,
			contentType: "text/html; charset=utf-8",
			body:        "<html><body>Page not found: SECRET-PAGE-CONTENT</body></html>",
			wantError:   "POST /api/storages/s3/: 404 Not Found (non-JSON response: text/html)",
			wantIs:      ErrNotFound,
			wantFields:  map[string][]string{},
			wantMsgs:    []string{"Not Found (non-JSON response: text/html)"},
		},
		{
			name:       "plain message",
			status:     400,
			body:       `{"message":"Storage 7 is not synchronizable"}`,
			wantError:  "POST /api/storages/s3/: 400 Storage 7 is not synchronizable",
			wantIs:     ErrValidation,
			wantFields: map[string][]string{},
			wantMsgs:   []string{"Storage 7 is not synchronizable"},
		},
		{
			name:       "detail without envelope",
			status:     401,
			body:       `{"detail":"User not found"}`,
			wantError:  "POST /api/storages/s3/: 401 User not found",
			wantIs:     ErrUnauthorized,
			wantFields: map[string][]string{},
			wantMsgs:   []string{"User not found"},
		},
		{
			name:       "forbidden",
			status:     403,
			body:       envelope(403, "You do not have permission to perform this action.", ""),
			wantError:  "POST /api/storages/s3/: 403 You do not have permission to perform this action.",
			wantIs:     ErrForbidden,
			wantFields: map[string][]string{},
			wantMsgs:   []string{"You do not have permission to perform this action."},
		},
		{
			name:       "bare DRF field map",
			status:     400,
			body:       `{"project":["This field is required."]}`,
			wantError:  "POST /api/storages/s3/: 400 project: This field is required.",
			wantIs:     ErrValidation,
			wantFields: map[string][]string{"project": {"This field is required."}},
			wantMsgs:   nil,
		},
		{
			name:       "bare list",
			status:     400,
			body:       `["first","second"]`,
			wantError:  "POST /api/storages/s3/: 400 non_field_errors: first second",
			wantIs:     ErrValidation,
			wantFields: map[string][]string{},
			wantMsgs:   []string{"first", "second"},
		},
		{
			name:       "server envelope",
			status:     500,
			body:       envelope(500, "An error occurred (AccessDenied) when calling ListObjects", ""),
			wantError:  "POST /api/storages/s3/: 500 An error occurred (AccessDenied) when calling ListObjects",
			wantIs:     ErrServer,
			wantFields: map[string][]string{},
			wantMsgs:   []string{"An error occurred (AccessDenied) when calling ListObjects"},
		},
		{
			name:   "empty 429",
			status: 429,
			body:   "",
			// A 429 is repeated even for a create; the error counts the attempts.
			wantError:  "POST /api/storages/s3/: 429 Too Many Requests (empty response) (after 4 attempts)",
			wantIs:     ErrRateLimited,
			wantFields: map[string][]string{},
			wantMsgs:   []string{"Too Many Requests (empty response)"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
				ct := tc.contentType
				if ct == "" {
					ct = "application/json"
				}
				w.Header().Set("Content-Type", ct)
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			})
			c, _ := newTestClient(t, srv.URL, "key")
			_, err := c.CreateStorage(context.Background(), "s3", Import, map[string]any{"bucket": "x"})
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %v (%T) is not an *APIError", err, err)
			}
			if err.Error() != tc.wantError {
				t.Errorf("Error()\n got  %q\n want %q", err.Error(), tc.wantError)
			}
			if apiErr.StatusCode != tc.status || apiErr.Method != "POST" || apiErr.Path != "/api/storages/s3/" {
				t.Errorf("APIError = %+v", apiErr)
			}
			for _, sentinel := range []error{ErrNotFound, ErrUnauthorized, ErrForbidden, ErrValidation, ErrRateLimited, ErrServer} {
				if got, want := errors.Is(err, sentinel), sentinel == tc.wantIs; got != want {
					t.Errorf("errors.Is(err, %v) = %v, want %v", sentinel, got, want)
				}
			}
			if got := apiErr.FieldErrors(); !reflect.DeepEqual(got, tc.wantFields) {
				t.Errorf("FieldErrors() = %v, want %v", got, tc.wantFields)
			}
			if got := apiErr.Messages(); !reflect.DeepEqual(got, tc.wantMsgs) {
				t.Errorf("Messages() = %q, want %q", got, tc.wantMsgs)
			}
		})
	}
}

func TestRedirectIsReportedNotFollowed(t *testing.T) {
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "https://ls.example.com/api/projects/?token=abc")
		w.WriteHeader(http.StatusMovedPermanently)
	})
	c, _ := newTestClient(t, srv.URL, "key")
	_, err := c.CreateProject(context.Background(), map[string]any{"title": "x"})
	want := "POST /api/projects/: 301 Moved Permanently (empty response; redirected to https://ls.example.com/api/projects/, set the URL to the final address)"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %q", err, want)
	}
	if n := len(srv.recorded()); n != 1 {
		t.Errorf("%d requests, want 1 (redirect not followed)", n)
	}
}

// Label Studio answers an exception DRF does not handle with detail
// "Unknown error" and (DEBUG on) the traceback in exc_info
// (core/utils/common.py custom_exception_handler); the error names what
// failed from the traceback's last line.
func TestAPIErrorReadsTheTracebacksLastLine(t *testing.T) {
	body := `{"id":"u","status_code":500,"version":"1.23.2","detail":"Unknown error",` +
		`"exc_info":"Traceback (most recent call last):\n  File \"x.py\", line 1, in v\nio_storages.s3.utils.S3StorageError: Debugging info is not available for s3 endpoints on domain: minio\n"}`
	e := parseAPIError(http.StatusInternalServerError, "POST", "/api/storages/s3/", http.Header{"Content-Type": {"application/json"}}, []byte(body))
	const want = "POST /api/storages/s3/: 500 Unknown error: io_storages.s3.utils.S3StorageError: Debugging info is not available for s3 endpoints on domain: minio"
	if e.Error() != want {
		t.Errorf("Error() = %q\nwant      %q", e.Error(), want)
	}
	if msgs := e.Messages(); len(msgs) != 1 || msgs[0] != "Unknown error: io_storages.s3.utils.S3StorageError: Debugging info is not available for s3 endpoints on domain: minio" {
		t.Errorf("Messages() = %q", msgs)
	}
	hidden := parseAPIError(http.StatusInternalServerError, "GET", "/api/x", nil, []byte(`{"id":"u","status_code":500,"version":"1","detail":"Unknown error","exc_info":null}`))
	if hidden.Error() != "GET /api/x: 500 Unknown error" {
		t.Errorf("without exc_info: %q", hidden.Error())
	}
}

// TracebackLastLine is the exception a Python traceback ends with, without
// the blank lines and indentation around it.
func TestTracebackLastLine(t *testing.T) {
	for tb, want := range map[string]string{
		"Traceback (most recent call last):\n  File \"x.py\", line 1, in v\nValueError: bad\n":          "ValueError: bad",
		"Traceback (most recent call last):\r\n  File \"x.py\"\r\n  S3StorageError: no bucket \r\n\r\n": "S3StorageError: no bucket",
		"ValueError: bad": "ValueError: bad",
		"":                "",
	} {
		if got := TracebackLastLine(tb); got != want {
			t.Errorf("TracebackLastLine(%q) = %q, want %q", tb, got, want)
		}
	}
}
