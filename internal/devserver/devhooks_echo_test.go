package devserver

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The echo fault repeats the request body, secrets included, in a 400
// envelope: raw, URL-encoded, and each string field as sent.
func TestEchoFaultRepeatsTheRequestBody(t *testing.T) {
	ts := newTestServer(t, nil)
	project := ts.createProject("")
	ts.mustDo(http.MethodPost, "/_dev/faults", map[string]any{"method": "POST", "path": "^/api/storages/gcs/validate$", "mode": "echo", "count": 1}, http.StatusCreated)

	credentials := `{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\nSECRETLINE\n-----END PRIVATE KEY-----\n"}`
	r := ts.do(http.MethodPost, "/api/storages/gcs/validate", map[string]any{"project": project, "bucket": "b", "google_application_credentials": credentials})

	env := ts.envelope(r, http.StatusBadRequest)
	errs, _ := env["validation_errors"].(map[string]any)
	nonField, _ := errs[nonFieldErrors].([]any)
	if len(nonField) != 2 {
		t.Fatalf("non_field_errors = %v, want the raw and the URL-encoded body", nonField)
	}
	// The document is a string inside the body, so it arrives JSON-escaped.
	if raw, _ := nonField[0].(string); !strings.Contains(raw, `"private_key\": \"-----BEGIN PRIVATE KEY-----\\nSECRETLINE`) {
		t.Errorf("raw echo lacks the escaped document: %q", raw)
	}
	if encoded, _ := nonField[1].(string); !strings.Contains(encoded, url.QueryEscape(`SECRETLINE\\n`)) {
		t.Errorf("URL-encoded echo lacks the key: %q", encoded)
	}
	if got := ts.fieldErrors(r, "google_application_credentials"); got[0] != "Invalid value '"+credentials+"'." {
		t.Errorf("field echo = %v, want the value as sent", got)
	}

	// count 1 is used up: the next request is served.
	if again := ts.do(http.MethodPost, "/api/storages/gcs/validate", map[string]any{"project": project, "bucket": "b"}); strings.Contains(string(again.body), "Cannot process the request body") {
		t.Errorf("the fault outlived its count: %s", again.body)
	}
}
