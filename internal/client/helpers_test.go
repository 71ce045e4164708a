package client

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv/fakeclock"
)

// recorded is one request as the test server saw it.
type recorded struct {
	Method        string
	Path          string
	RawQuery      string
	Authorization string
	ContentType   string
	Body          string
}

// fakeServer is an httptest server whose handler the test supplies; it
// records every request.
type fakeServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []recorded
}

func newFakeServer(t *testing.T, handler http.HandlerFunc) *fakeServer {
	t.Helper()
	fs := &fakeServer{}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fs.mu.Lock()
		fs.requests = append(fs.requests, recorded{
			Method:        r.Method,
			Path:          r.URL.EscapedPath(),
			RawQuery:      r.URL.RawQuery,
			Authorization: r.Header.Get("Authorization"),
			ContentType:   r.Header.Get("Content-Type"),
			Body:          string(body),
		})
		fs.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		handler(w, r)
	}))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *fakeServer) recorded() []recorded {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]recorded(nil), fs.requests...)
}

// countPath counts the requests made to path.
func (fs *fakeServer) countPath(path string) int {
	n := 0
	for _, r := range fs.recorded() {
		if r.Path == path {
			n++
		}
	}
	return n
}

// newTestClient builds a client for srv with a fake clock and the largest
// jitter, so the chosen waits are exact.
func newTestClient(t *testing.T, url, apiKey string, mutate ...func(*Config)) (*Client, *fakeclock.Clock) {
	t.Helper()
	cfg := Config{URL: url, APIKey: apiKey, MaxRetries: 3}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	clock := fakeclock.New()
	c.now = clock.Now
	c.sleep = clock.Sleep
	c.jitter = func(d time.Duration) time.Duration { return d }
	return c, clock
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func envelope(status int, detail, validation string) string {
	body := fmt.Sprintf(`{"id":"3f1c-uuid","status_code":%d,"version":"1.23.2","detail":%q,"exc_info":null`, status, detail)
	if validation != "" {
		body += `,"validation_errors":` + validation
	}
	return body + "}"
}

const storageJSON = `{"id":7,"type":"s3","project":3,"title":"raw","status":"completed","created_at":"2026-01-01T00:00:00Z",
"last_sync":"2026-01-02T00:00:00Z","last_sync_count":12,"last_sync_job":null,"traceback":null,
"meta":{"attempts":1,"duration":0.5},"bucket":"data","prefix":"in/","presign_ttl":1,"regex_filter":null}`

// makeJWT builds an unsigned-looking JWT: the client never verifies
// signatures, only reads claims.
func makeJWT(t *testing.T, claims map[string]any) string {
	t.Helper()
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return header + "." + base64.RawURLEncoding.EncodeToString(payload) + ".c2lnbmF0dXJl"
}

// sequenceClient is a client of a server that answers with responses in
// turn (see sequenceHandler); calls counts the requests.
func sequenceClient(t *testing.T, responses ...func(w http.ResponseWriter)) (*Client, *fakeclock.Clock, func() int) {
	t.Helper()
	handler, calls := sequenceHandler(responses...)
	c, clock := newTestClient(t, newFakeServer(t, handler).URL, "key")
	return c, clock, calls
}

// sequenceHandler answers with the given responses in order, then 200 {}.
func sequenceHandler(responses ...func(w http.ResponseWriter)) (http.HandlerFunc, func() int) {
	var mu sync.Mutex
	calls := 0
	handler := func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		i := calls
		calls++
		mu.Unlock()
		if i < len(responses) {
			responses[i](w)
			return
		}
		if r.Method == http.MethodPost && !strings.HasSuffix(r.URL.Path, "/validate") && !strings.HasSuffix(r.URL.Path, "/sync") {
			writeJSON(w, http.StatusCreated, storageJSON)
			return
		}
		writeJSON(w, http.StatusOK, storageJSON)
	}
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return calls
	}
	return handler, count
}

func status(code int, headers ...string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(code)
		_, _ = io.WriteString(w, "<html>busy</html>")
	}
}

func jsonStatus(code int, body string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) { writeJSON(w, code, body) }
}

var testRef = StorageRef{Kind: "s3", Direction: Import, ID: 7}

// hangUp closes the connection without an answer.
func hangUp(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}
