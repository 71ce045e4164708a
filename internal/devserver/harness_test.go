package devserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testServer is a stand-in under test with a PAT-authenticated client.
type testServer struct {
	t       *testing.T
	srv     *Server
	http    *httptest.Server
	backend *fakeBackend
	access  string
}

// newTestServer starts a stand-in from Label Studio's defaults, changed by
// configure, with the fake backend behind every kind.
func newTestServer(t *testing.T, configure func(*Config)) *testServer {
	t.Helper()
	cfg := DefaultConfig()
	cfg.DevHooks = true
	if configure != nil {
		configure(&cfg)
	}
	return startTestServer(t, cfg, newFakeBackend())
}

func startTestServer(t *testing.T, cfg Config, backend *fakeBackend) *testServer {
	t.Helper()
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv.connectorFor = backend.connectorFor
	hs := httptest.NewServer(srv.Handler())
	ts := &testServer{t: t, srv: srv, http: hs, backend: backend}
	t.Cleanup(func() {
		hs.Close()
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	pat, err := srv.MintPersonalAccessToken()
	if err != nil {
		t.Fatalf("MintPersonalAccessToken: %v", err)
	}
	var refreshed struct{ Access string }
	ts.decode(ts.mustDo(http.MethodPost, "/api/token/refresh/", map[string]any{"refresh": pat}, http.StatusOK), &refreshed)
	ts.access = refreshed.Access
	return ts
}

// response is one answer, already checked against the public schema.
type response struct {
	status int
	header http.Header
	body   []byte
}

// request is the raw form of do: any body type, any headers, no default
// authentication when headers carry Authorization.
func (ts *testServer) request(method, target string, body io.Reader, headers map[string]string) response {
	ts.t.Helper()
	req, err := http.NewRequest(method, ts.http.URL+target, body)
	if err != nil {
		ts.t.Fatalf("new request: %v", err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if _, ok := headers["Authorization"]; !ok && ts.access != "" {
		req.Header.Set("Authorization", "Bearer "+ts.access)
	}
	res, err := ts.http.Client().Do(req)
	if err != nil {
		ts.t.Fatalf("%s %s: %v", method, target, err)
	}
	defer func() { _ = res.Body.Close() }()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		ts.t.Fatalf("read %s %s: %v", method, target, err)
	}
	r := response{status: res.StatusCode, header: res.Header, body: data}
	checkResponseSchema(ts.t, method, req.URL, r)
	return r
}

// do sends body as JSON (nil = no body) with the test's access token.
func (ts *testServer) do(method, target string, body any) response {
	ts.t.Helper()
	var reader io.Reader
	headers := map[string]string{}
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			ts.t.Fatalf("encode body: %v", err)
		}
		reader = bytes.NewReader(data)
		headers["Content-Type"] = "application/json"
	}
	return ts.request(method, target, reader, headers)
}

// mustDo is do with the status asserted.
func (ts *testServer) mustDo(method, target string, body any, want int) response {
	ts.t.Helper()
	r := ts.do(method, target, body)
	if r.status != want {
		ts.t.Fatalf("%s %s: status %d, want %d; body %s", method, target, r.status, want, r.body)
	}
	return r
}

func (ts *testServer) decode(r response, into any) {
	ts.t.Helper()
	if err := json.Unmarshal(r.body, into); err != nil {
		ts.t.Fatalf("decode %s: %v", r.body, err)
	}
}

// object decodes a JSON object answer.
func (ts *testServer) object(r response) map[string]any {
	ts.t.Helper()
	var out map[string]any
	ts.decode(r, &out)
	return out
}

// createProject creates a project and returns its id.
func (ts *testServer) createProject(labelConfig string) int64 {
	ts.t.Helper()
	body := map[string]any{"title": "test project"}
	if labelConfig != "" {
		body["label_config"] = labelConfig
	}
	var p struct{ ID int64 }
	ts.decode(ts.mustDo(http.MethodPost, "/api/projects/", body, http.StatusCreated), &p)
	return p.ID
}

// storagePath is the SDK path of a storage collection or item.
func storagePath(kind, dir string, id int64, suffix string) string {
	base := "/api/storages/" + kind
	if dir == dirExport {
		base = "/api/storages/export/" + kind
	}
	switch {
	case id == 0 && suffix == "":
		if dir == dirImport {
			return base + "/"
		}
		return base
	case id == 0:
		return base + "/" + suffix
	case suffix == "":
		return fmt.Sprintf("%s/%d", base, id)
	}
	return fmt.Sprintf("%s/%d/%s", base, id, suffix)
}

// createStorage creates a storage and returns the response object.
func (ts *testServer) createStorage(kind, dir string, body map[string]any) map[string]any {
	ts.t.Helper()
	return ts.object(ts.mustDo(http.MethodPost, storagePath(kind, dir, 0, ""), body, http.StatusCreated))
}

// envelope asserts Label Studio's error envelope and returns it.
func (ts *testServer) envelope(r response, status int) map[string]any {
	ts.t.Helper()
	if r.status != status {
		ts.t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	env := ts.object(r)
	if env["status_code"] != float64(status) || env["version"] != "1.23.2" {
		ts.t.Fatalf("not the envelope: %s", r.body)
	}
	// An uncaught exception (a 500) says "Unknown error" and carries its
	// traceback; everything else has exc_info null.
	if tb, _ := env["exc_info"].(string); status == http.StatusInternalServerError {
		lines := strings.Split(strings.TrimSpace(tb), "\n")
		if env["detail"] != "Unknown error" || !strings.HasPrefix(tb, "Traceback (most recent call last):") {
			ts.t.Fatalf("not the 500 envelope: %s", r.body)
		}
		// Tests read the exception's text where the detail used to be.
		_, env["detail"], _ = strings.Cut(lines[len(lines)-1], ": ")
	} else if env["exc_info"] != nil {
		ts.t.Fatalf("exc_info outside a 500: %s", r.body)
	}
	if _, hasFields := env["validation_errors"]; hasFields != (env["detail"] == "Validation error") {
		ts.t.Fatalf("validation_errors present iff detail is \"Validation error\": %s", r.body)
	}
	return env
}

// fieldErrors returns validation_errors[field] of a 400 envelope.
func (ts *testServer) fieldErrors(r response, field string) []any {
	ts.t.Helper()
	env := ts.envelope(r, http.StatusBadRequest)
	errs, _ := env["validation_errors"].(map[string]any)
	list, _ := errs[field].([]any)
	if len(list) == 0 {
		ts.t.Fatalf("no validation error for %q: %s", field, r.body)
	}
	return list
}

// waitStatus polls a storage until its status is one of want.
func (ts *testServer) waitStatus(kind, dir string, id int64, want ...string) map[string]any {
	ts.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := ts.object(ts.mustDo(http.MethodGet, storagePath(kind, dir, id, ""), nil, http.StatusOK))
		for _, w := range want {
			if got["status"] == w {
				return got
			}
		}
		if time.Now().After(deadline) {
			ts.t.Fatalf("storage %s/%s/%d stuck in %v, want %v", kind, dir, id, got["status"], want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
