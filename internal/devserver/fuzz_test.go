package devserver

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// fuzzTargets are the handlers that decode a body.
var fuzzTargets = []struct{ method, path string }{
	{http.MethodPost, "/api/storages/s3/"},
	{http.MethodPost, "/api/storages/export/redis"},
	{http.MethodPatch, "/api/storages/gcs/1"},
	{http.MethodPut, "/api/storages/localfiles/1"},
	{http.MethodPatch, "/api/storages/export/azure/1"},
	{http.MethodPost, "/api/storages/azure/validate"},
	{http.MethodPost, "/api/storages/export/s3/validate"},
	{http.MethodPost, "/api/projects/"},
	{http.MethodPatch, "/api/projects/1/"},
	{http.MethodPost, "/api/token/refresh/"},
}

var fuzzContentTypes = []string{"application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=X", ""}

// FuzzHandlers feeds malformed bodies to every body-decoding handler: no
// panic, never a 5xx (the fake connector has no failures that would make a
// documented 500), errors always in the envelope, successes matching the
// public schema.
func FuzzHandlers(f *testing.F) {
	seeds := []string{
		`{"project":1,"bucket":"b","aws_access_key_id":"k","aws_secret_access_key":"s"}`,
		`{"project":"1","presign_ttl":"1e3","synchronizable":"yes","meta":{"a":[1,{"b":null}]}}`,
		`{"project":1,"port":6379.5,"db":-1,"path":"\\\\srv//x/"}`,
		`{"id":1,"project":1,"google_application_credentials":null}`,
		`{"title":"ab","label_config":"<View><Image name=\"a\"/><Text name=\"a\"/></View>"}`,
		`{"label_config":"<View><Choices toName=\"x\"/></View>","sampling":1}`,
		`{"refresh":"a.b.c"}`, `[]`, `null`, `"x"`, `{"project":`, `{"project":1}{}`,
		"project=1&title=%ff&presign=maybe", "--X\r\nContent-Disposition: form-data; name=\"project\"\r\n\r\n1\r\n--X--\r\n",
	}
	for i, s := range seeds {
		f.Add(uint8(i), uint8(i), []byte(s))
	}
	cfg := DefaultConfig()
	backend := newFakeBackend()
	srv, err := New(cfg)
	if err != nil {
		f.Fatal(err)
	}
	srv.connectorFor = backend.connectorFor
	f.Cleanup(func() { _ = srv.Close() })
	pat, err := srv.MintPersonalAccessToken()
	if err != nil {
		f.Fatal(err)
	}
	send := func(t *testing.T, method, path, contentType string, body []byte, auth string) response {
		req := httptest.NewRequest(method, path, bytes.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		r := response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
		checkResponseSchema(t, method, req.URL, r)
		return r
	}
	var auth string
	f.Fuzz(func(t *testing.T, target, contentType uint8, body []byte) {
		if auth == "" {
			// First run: a project and one storage of each patched kind.
			r := send(t, http.MethodPost, "/api/token/refresh/", "application/json", []byte(`{"refresh":"`+pat+`"}`), "")
			var access struct{ Access string }
			setupDecode(t, r, &access)
			auth = "Bearer " + access.Access
			send(t, http.MethodPost, "/api/projects/", "application/json", []byte(`{"title":"fuzz"}`), auth)
			send(t, http.MethodPost, "/api/storages/gcs/", "application/json", []byte(`{"project":1}`), auth)
			send(t, http.MethodPost, "/api/storages/localfiles/", "application/json", []byte(`{"project":1,"path":"/x"}`), auth)
			send(t, http.MethodPost, "/api/storages/export/azure", "application/json", []byte(`{"project":1}`), auth)
		}
		op := fuzzTargets[int(target)%len(fuzzTargets)]
		r := send(t, op.method, op.path, fuzzContentTypes[int(contentType)%len(fuzzContentTypes)], body, auth)
		if r.status >= 500 {
			t.Fatalf("%s %s with %q: %d %s", op.method, op.path, body, r.status, r.body)
		}
	})
}

func setupDecode(t *testing.T, r response, into any) {
	t.Helper()
	ts := &testServer{t: t}
	ts.decode(r, into)
}
