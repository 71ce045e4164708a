package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

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

func TestNewValidatesURL(t *testing.T) {
	for _, tc := range []struct {
		url     string
		wantErr string
	}{
		{"", "URL is empty"},
		{"localhost:8080", "must start with http:// or https://"},
		{"ftp://example.com", "must start with http:// or https://"},
		{"http://", "has no host"},
		{"https://user:hunter2@ls.example.com?x=1", "must not have a query"},
		{"http://user:hunter2@ls.example.com/%zz", "is not a valid URL"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			_, err := New(Config{URL: tc.url, APIKey: "key"})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("New(%q) error = %v, want one containing %q", tc.url, err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error shows the URL's password: %v", err)
			}
		})
	}
	if _, err := New(Config{URL: "http://ls.example.com"}); err == nil || !strings.Contains(err.Error(), "API key is empty") {
		t.Fatalf("New without a key: %v", err)
	}
}

func TestBaseURLTrailingSlashAndPrefix(t *testing.T) {
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"release":"1.23.2","edition":"Community"}`)
	})
	for _, tc := range []struct{ base, wantPath string }{
		{srv.URL, "/api/version/"},
		{srv.URL + "/", "/api/version/"},
		{srv.URL + "/label-studio/", "/label-studio/api/version/"},
		{srv.URL + "/label-studio", "/label-studio/api/version/"},
	} {
		c, _ := newTestClient(t, tc.base, "key")
		info, err := c.Version(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", tc.base, err)
		}
		if info.Release != "1.23.2" || info.Edition != "Community" {
			t.Errorf("%s: version = %+v", tc.base, info)
		}
		reqs := srv.recorded()
		if got := reqs[len(reqs)-1].Path; got != tc.wantPath {
			t.Errorf("base %q requested %q, want %q", tc.base, got, tc.wantPath)
		}
	}
}

// TestStoragePaths checks the exact method, path, query and body of every
// storage call in both directions.
func TestStoragePaths(t *testing.T) {
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		case strings.HasSuffix(r.URL.Path, "/validate"):
			w.WriteHeader(http.StatusOK)
		case strings.HasSuffix(r.URL.Path, "/types"):
			writeJSON(w, http.StatusOK, `[{"name":"s3","title":"AWS S3"},{"name":"gcs","title":"Google Cloud Storage"}]`)
		case r.URL.Query().Get("project") != "":
			writeJSON(w, http.StatusOK, "["+storageJSON+"]")
		case r.Method == http.MethodPost && !strings.HasSuffix(r.URL.Path, "/sync"):
			writeJSON(w, http.StatusCreated, storageJSON)
		default:
			writeJSON(w, http.StatusOK, storageJSON)
		}
	})
	c, _ := newTestClient(t, srv.URL, "key")
	ctx := context.Background()
	body := map[string]any{"project": 3, "bucket": "data"}

	type step struct {
		name string
		run  func() error
		want recorded
	}
	var steps []step
	for _, dir := range []Direction{Import, Export} {
		base := "/api/storages/s3"
		collection := "/api/storages/s3/"
		all := "/api/storages/"
		if dir == Export {
			base = "/api/storages/export/s3"
			collection = base
			all = "/api/storages/export"
		}
		ref := StorageRef{Kind: "s3", Direction: dir, ID: 7}
		steps = append(steps,
			step{string(dir) + " list", func() error { _, err := c.ListStorages(ctx, "s3", dir, 3); return err },
				recorded{Method: "GET", Path: collection, RawQuery: "project=3"}},
			step{string(dir) + " list all", func() error { _, err := c.ListAllStorages(ctx, dir, 3); return err },
				recorded{Method: "GET", Path: all, RawQuery: "project=3"}},
			step{string(dir) + " create", func() error { _, err := c.CreateStorage(ctx, "s3", dir, body); return err },
				recorded{Method: "POST", Path: collection, ContentType: "application/json", Body: `{"bucket":"data","project":3}`}},
			step{string(dir) + " get", func() error { _, err := c.GetStorage(ctx, ref); return err },
				recorded{Method: "GET", Path: base + "/7"}},
			step{string(dir) + " update", func() error { _, err := c.UpdateStorage(ctx, ref, body); return err },
				recorded{Method: "PATCH", Path: base + "/7", ContentType: "application/json", Body: `{"bucket":"data","project":3}`}},
			step{string(dir) + " validate", func() error { return c.ValidateStorage(ctx, "s3", dir, body) },
				recorded{Method: "POST", Path: base + "/validate", ContentType: "application/json", Body: `{"bucket":"data","project":3}`}},
			step{string(dir) + " sync", func() error { _, err := c.SyncStorage(ctx, ref); return err },
				recorded{Method: "POST", Path: base + "/7/sync"}},
			step{string(dir) + " delete", func() error { return c.DeleteStorage(ctx, ref) },
				recorded{Method: "DELETE", Path: base + "/7"}},
		)
	}
	for _, s := range steps {
		before := len(srv.recorded())
		if err := s.run(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		reqs := srv.recorded()
		if len(reqs) != before+1 {
			t.Fatalf("%s made %d requests, want 1", s.name, len(reqs)-before)
		}
		got := reqs[len(reqs)-1]
		s.want.Authorization = "Token key"
		if got != s.want {
			t.Errorf("%s:\n got  %+v\n want %+v", s.name, got, s.want)
		}
	}
}

func TestStorageCallsRejectBadKindAndDirection(t *testing.T) {
	c, _ := newTestClient(t, "http://127.0.0.1:1", "key")
	ctx := context.Background()
	if _, err := c.GetStorage(ctx, StorageRef{Kind: "../projects", Direction: Import, ID: 1}); err == nil ||
		!strings.Contains(err.Error(), "invalid storage kind") {
		t.Errorf("bad kind: %v", err)
	}
	if _, err := c.ListStorages(ctx, "s3", Direction("sideways"), 1); err == nil ||
		!strings.Contains(err.Error(), "unknown storage direction") {
		t.Errorf("bad direction: %v", err)
	}
}

func TestDeleteAccepts200And204(t *testing.T) {
	for _, status := range []int{http.StatusOK, http.StatusNoContent} {
		srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) })
		c, _ := newTestClient(t, srv.URL, "key")
		if err := c.DeleteStorage(context.Background(), StorageRef{Kind: "gcs", Direction: Export, ID: 4}); err != nil {
			t.Errorf("delete storage answered %d: %v", status, err)
		}
		if err := c.DeleteProject(context.Background(), 4); err != nil {
			t.Errorf("delete project answered %d: %v", status, err)
		}
	}
}

func TestProjectPaths(t *testing.T) {
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			writeJSON(w, http.StatusCreated, `{"id":11,"title":"Birds","label_config":"<View></View>"}`)
		case http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		default:
			writeJSON(w, http.StatusOK, `{"id":11,"title":"Birds","label_config":"<View></View>"}`)
		}
	})
	c, _ := newTestClient(t, srv.URL, "key")
	ctx := context.Background()
	created, err := c.CreateProject(ctx, map[string]any{"title": "Birds"})
	if err != nil {
		t.Fatal(err)
	}
	if created.ID != 11 || created.Title != "Birds" || string(created.Fields["label_config"]) != `"<View></View>"` {
		t.Errorf("created = %+v", created)
	}
	if _, err := c.GetProject(ctx, 11); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateProject(ctx, 11, map[string]any{"title": "Bees"}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteProject(ctx, 11); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range srv.recorded() {
		got = append(got, r.Method+" "+r.Path+" "+r.Body)
	}
	want := []string{
		`POST /api/projects/ {"title":"Birds"}`,
		"GET /api/projects/11/ ",
		`PATCH /api/projects/11/ {"title":"Bees"}`,
		"DELETE /api/projects/11/ ",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("requests:\n got  %q\n want %q", got, want)
	}
}

func TestCheckAuthAndVersionPaths(t *testing.T) {
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/current-user/whoami" {
			writeJSON(w, http.StatusOK, `{"id":1,"email":"admin@example.com"}`)
			return
		}
		http.NotFound(w, r)
	})
	c, _ := newTestClient(t, srv.URL, "key")
	if err := c.CheckAuth(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Version(context.Background()); !errors.Is(err, ErrNotFound) {
		t.Errorf("version on a server without it: %v, want ErrNotFound", err)
	}
}

func TestCheckAuthRejectsNonLabelStudio(t *testing.T) {
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<html>Welcome to some other app</html>")
	})
	c, _ := newTestClient(t, srv.URL, "key")
	err := c.CheckAuth(context.Background())
	want := "GET /api/current-user/whoami: 200 response is not the expected JSON (text/html): malformed JSON"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %q", err, want)
	}
}

func TestStorageDecoding(t *testing.T) {
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/8") {
			writeJSON(w, http.StatusOK, `{"id":8,"type":"redis","project":3,"title":null,"status":"initialized","meta":null,
				"last_sync":null,"last_sync_count":null,"last_sync_job":null,"traceback":null,"db":1}`)
			return
		}
		writeJSON(w, http.StatusOK, `{"id":9007199254740993,"type":"s3","project":3,"title":"raw","status":"failed",
			"created_at":"2026-01-01T00:00:00Z","last_sync":null,"last_sync_count":4,"last_sync_job":"job-1",
			"traceback":"boom","meta":{"attempts":2},"presign_ttl":1}`)
	})
	c, _ := newTestClient(t, srv.URL, "key")
	ctx := context.Background()

	s, err := c.GetStorage(ctx, StorageRef{Kind: "s3", Direction: Import, ID: 9007199254740993})
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != 9007199254740993 || s.Type != "s3" || s.Project != 3 || *s.Title != "raw" || s.Status != "failed" ||
		s.CreatedAt != "2026-01-01T00:00:00Z" || s.LastSync != nil || *s.LastSyncCount != 4 ||
		*s.LastSyncJob != "job-1" || *s.Traceback != "boom" || string(s.Meta) != `{"attempts":2}` {
		t.Errorf("decoded storage = %+v", s)
	}
	if string(s.Fields["presign_ttl"]) != "1" || len(s.Fields) != 12 {
		t.Errorf("Fields = %v, want every key raw", s.Fields)
	}

	s, err = c.GetStorage(ctx, StorageRef{Kind: "redis", Direction: Import, ID: 8})
	if err != nil {
		t.Fatal(err)
	}
	if s.Title != nil || s.LastSyncCount != nil || s.Traceback != nil || string(s.Meta) != "{}" {
		t.Errorf("nulls decoded as %+v (meta %s)", s, s.Meta)
	}
	if string(s.Fields["meta"]) != "null" || string(s.Fields["db"]) != "1" {
		t.Errorf("Fields changed the server's values: %v", s.Fields)
	}
}

func TestMalformedSuccessResponses(t *testing.T) {
	for body, want := range map[string]string{
		`{"title":"no id"}`:              `GET /api/storages/s3/7: the response has no "id"`,
		`{"id":"seven"}`:                 `GET /api/storages/s3/7: the response's "id" is not a number`,
		`{"id":7,"last_sync_count":1.5}`: `GET /api/storages/s3/7: the response's "last_sync_count" is not an integer`,
		`[1,2]`:                          `GET /api/storages/s3/7: 200 response is not the expected JSON (application/json): the body is a JSON array`,
	} {
		srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, body) })
		c, _ := newTestClient(t, srv.URL, "key")
		if _, err := c.GetStorage(context.Background(), testRef); err == nil || err.Error() != want {
			t.Errorf("body %s: error = %v, want %q", body, err, want)
		}
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

func TestTokenTypeDetection(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  string
		pat  bool
	}{
		{"refresh JWT", makeJWT(t, map[string]any{"token_type": "refresh", "exp": 4102444800}), true},
		{"access JWT", makeJWT(t, map[string]any{"token_type": "access"}), false},
		{"JWT without type", makeJWT(t, map[string]any{"user_id": 1}), false},
		{"legacy hex", "0123456789abcdef0123456789abcdef01234567", false},
		{"three parts, not JSON", "abc.def.ghi", false},
		{"four parts", makeJWT(t, map[string]any{"token_type": "refresh"}) + ".x", false},
	} {
		if got := isPersonalAccessToken(tc.key); got != tc.pat {
			t.Errorf("%s: isPersonalAccessToken = %v, want %v", tc.name, got, tc.pat)
		}
	}
}

// patServer issues access tokens that expire accessTTL after the fake
// clock's now, and accepts only the newest one.
type patServer struct {
	*fakeServer
	mu        sync.Mutex
	current   string
	issued    int
	rejectAll bool // answer 401 to every API call
}

func newPATServer(t *testing.T, pat string, clock func() *fakeclock.Clock) *patServer {
	t.Helper()
	ps := &patServer{}
	ps.fakeServer = newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		ps.mu.Lock()
		defer ps.mu.Unlock()
		if r.URL.Path == refreshPath {
			var req struct{ Refresh string }
			_ = json.NewDecoder(r.Body).Decode(&req)
			if req.Refresh != pat {
				writeJSON(w, http.StatusUnauthorized, envelope(401, "Token is invalid or expired", ""))
				return
			}
			ps.issued++
			ps.current = makeJWT(t, map[string]any{
				"token_type": "access",
				"jti":        strconv.Itoa(ps.issued),
				"exp":        clock().Now().Add(5 * time.Minute).Unix(),
			})
			writeJSON(w, http.StatusOK, fmt.Sprintf(`{"access":%q}`, ps.current))
			return
		}
		if ps.rejectAll || r.Header.Get("Authorization") != "Bearer "+ps.current {
			w.Header().Set("WWW-Authenticate", "Token")
			writeJSON(w, http.StatusUnauthorized, envelope(401, "Authentication credentials were not provided.", ""))
			return
		}
		writeJSON(w, http.StatusOK, `{"id":1,"title":"p"}`)
	})
	return ps
}

func (ps *patServer) setRejectAll() {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.rejectAll = true
}

func (ps *patServer) revoke() {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.current = "revoked"
}

func TestPersonalAccessTokenRefresh(t *testing.T) {
	pat := makeJWT(t, map[string]any{"token_type": "refresh", "exp": 4102444800})
	var clock *fakeclock.Clock
	srv := newPATServer(t, pat, func() *fakeclock.Clock { return clock })
	c, clk := newTestClient(t, srv.URL, pat)
	clock = clk
	ctx := context.Background()

	for range 3 {
		if _, err := c.GetProject(ctx, 1); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.countPath(refreshPath); n != 1 {
		t.Fatalf("%d refreshes for three calls with a fresh token, want 1", n)
	}
	for _, r := range srv.recorded() {
		if r.Path == refreshPath {
			if r.Authorization != "" || r.Body != fmt.Sprintf(`{"refresh":%q}`, pat) {
				t.Errorf("refresh request = %+v", r)
			}
		} else if !strings.HasPrefix(r.Authorization, "Bearer ") {
			t.Errorf("API call sent %q, want a Bearer token", r.Authorization)
		}
	}

	// Within 30 s of expiry the token is replaced before it is used.
	clock.Advance(4*time.Minute + 31*time.Second)
	if _, err := c.GetProject(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if n := srv.countPath(refreshPath); n != 2 {
		t.Fatalf("%d refreshes after the token neared expiry, want 2", n)
	}
	if n := srv.countPath("/api/projects/1/"); n != 4 {
		t.Errorf("%d project reads, want 4 (no 401 round trip)", n)
	}

	// A token the server stops accepting is refreshed once and the call
	// repeated, also for a create.
	srv.revoke()
	if _, err := c.CreateProject(ctx, map[string]any{"title": "abc"}); err != nil {
		t.Fatalf("create after revocation: %v", err)
	}
	if n := srv.countPath(refreshPath); n != 3 {
		t.Errorf("%d refreshes after a 401, want 3", n)
	}
	if n := srv.countPath("/api/projects/"); n != 2 {
		t.Errorf("create sent %d times, want 2 (rejected, then repeated)", n)
	}
}

func TestPersonalAccessToken401IsRefreshedOnlyOnce(t *testing.T) {
	pat := makeJWT(t, map[string]any{"token_type": "refresh"})
	var clock *fakeclock.Clock
	srv := newPATServer(t, pat, func() *fakeclock.Clock { return clock })
	srv.setRejectAll()
	c, clk := newTestClient(t, srv.URL, pat)
	clock = clk

	_, err := c.GetProject(context.Background(), 1)
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "Authentication credentials were not provided.") {
		t.Fatalf("error = %v, want the server's 401", err)
	}
	if r, g := srv.countPath(refreshPath), srv.countPath("/api/projects/1/"); r != 2 || g != 2 {
		t.Errorf("%d refreshes and %d reads, want 2 and 2", r, g)
	}
	if len(clock.Sleeps()) != 0 {
		t.Errorf("401 waited %v; it is not a retryable status", clock.Sleeps())
	}
}

func TestPersonalAccessTokenRejected(t *testing.T) {
	pat := makeJWT(t, map[string]any{"token_type": "refresh"})
	var clock *fakeclock.Clock
	srv := newPATServer(t, "another-token", func() *fakeclock.Clock { return clock })
	c, clk := newTestClient(t, srv.URL, pat)
	clock = clk

	err := c.CheckAuth(context.Background())
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("error = %v, want ErrUnauthorized", err)
	}
	if want := "POST /api/token/refresh/: 401 Token is invalid or expired"; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	if n := srv.countPath("/api/current-user/whoami"); n != 0 {
		t.Errorf("whoami called %d times without an access token", n)
	}
}

func TestRefreshIsSingleFlight(t *testing.T) {
	pat := makeJWT(t, map[string]any{"token_type": "refresh"})
	var clock *fakeclock.Clock
	srv := newPATServer(t, pat, func() *fakeclock.Clock { return clock })
	c, clk := newTestClient(t, srv.URL, pat)
	clock = clk

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := c.GetProject(context.Background(), 1)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.countPath(refreshPath); n != 1 {
		t.Errorf("%d refreshes for 8 concurrent calls, want 1", n)
	}
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

func TestRetryHonorsRetryAfter(t *testing.T) {
	handler, calls := sequenceHandler(
		status(http.StatusTooManyRequests, "Retry-After", "7"),
		status(http.StatusTooManyRequests, "Retry-After", "Fri, 02 Jan 2026 03:04:15 GMT"),
	)
	srv := newFakeServer(t, handler)
	c, clock := newTestClient(t, srv.URL, "key")

	if _, err := c.GetStorage(context.Background(), testRef); err != nil {
		t.Fatal(err)
	}
	if calls() != 3 {
		t.Errorf("%d attempts, want 3", calls())
	}
	// 7 s from the header; then the date, 10 s after the clock's start, is
	// 3 s after the clock reached 03:04:12.
	if want := []time.Duration{7 * time.Second, 3 * time.Second}; !reflect.DeepEqual(clock.Sleeps(), want) {
		t.Errorf("waits = %v, want %v", clock.Sleeps(), want)
	}
}

func TestRetryBacksOffExponentially(t *testing.T) {
	handler, calls := sequenceHandler(
		status(http.StatusServiceUnavailable),
		status(http.StatusBadGateway),
		status(http.StatusGatewayTimeout),
		status(http.StatusInternalServerError), // a proxy's 500, not Label Studio's
	)
	srv := newFakeServer(t, handler)
	c, clock := newTestClient(t, srv.URL, "key", func(cfg *Config) { cfg.MaxRetries = 4 })

	if err := c.ValidateStorage(context.Background(), "s3", Import, map[string]any{"bucket": "b"}); err != nil {
		t.Fatal(err)
	}
	if calls() != 5 {
		t.Errorf("%d attempts, want 5", calls())
	}
	want := []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second}
	if !reflect.DeepEqual(clock.Sleeps(), want) {
		t.Errorf("waits = %v, want %v", clock.Sleeps(), want)
	}
}

func TestBackoffIsCappedWithJitter(t *testing.T) {
	c, _ := newTestClient(t, "http://127.0.0.1:1", "key")
	c.jitter = func(time.Duration) time.Duration { return 0 }
	if got := c.backoff(1); got != 125*time.Millisecond {
		t.Errorf("backoff(1) without jitter = %v, want 125ms", got)
	}
	if got := c.backoff(40); got != 4*time.Second {
		t.Errorf("backoff(40) without jitter = %v, want 4s (half the cap)", got)
	}
	c.jitter = randomJitter
	for attempt := 1; attempt < 10; attempt++ {
		if got := c.backoff(attempt); got > retryMaxWait || got <= 0 {
			t.Errorf("backoff(%d) = %v, outside (0, %v]", attempt, got, retryMaxWait)
		}
	}
}

func TestRetriesExhausted(t *testing.T) {
	responses := make([]func(http.ResponseWriter), 4) // more failures than retries
	for i := range responses {
		responses[i] = status(http.StatusServiceUnavailable)
	}
	handler, calls := sequenceHandler(responses...)
	srv := newFakeServer(t, handler)
	c, _ := newTestClient(t, srv.URL, "key", func(cfg *Config) { cfg.MaxRetries = 2 })

	_, err := c.UpdateStorage(context.Background(), testRef, map[string]any{"prefix": "p"})
	if !errors.Is(err, ErrServer) || err.Error() != "PATCH /api/storages/s3/7: 503 Service Unavailable (non-JSON response: text/html) (after 3 attempts)" {
		t.Fatalf("error = %v", err)
	}
	if calls() != 3 {
		t.Errorf("%d attempts, want 3 (one plus two retries)", calls())
	}
}

func TestNoRetryForCreateSyncAndApplicationErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		first func(w http.ResponseWriter)
		run   func(c *Client) error
		is    error
	}{
		{"create storage on 503", status(503), func(c *Client) error {
			_, err := c.CreateStorage(context.Background(), "s3", Import, map[string]any{})
			return err
		}, ErrServer},
		{"create project on 504", status(504), func(c *Client) error {
			_, err := c.CreateProject(context.Background(), map[string]any{})
			return err
		}, ErrServer},
		{"sync on 502", status(502), func(c *Client) error {
			_, err := c.SyncStorage(context.Background(), testRef)
			return err
		}, ErrServer},
		{"read on a 500 envelope", jsonStatus(500, envelope(500, "Connection refused", "")), func(c *Client) error {
			_, err := c.GetStorage(context.Background(), testRef)
			return err
		}, ErrServer},
		{"validate on 400", jsonStatus(400, envelope(400, "Validation error", `{"non_field_errors":["bad"]}`)), func(c *Client) error {
			return c.ValidateStorage(context.Background(), "s3", Import, map[string]any{})
		}, ErrValidation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			handler, calls := sequenceHandler(tc.first)
			srv := newFakeServer(t, handler)
			c, clock := newTestClient(t, srv.URL, "key")
			if err := tc.run(c); !errors.Is(err, tc.is) {
				t.Fatalf("error = %v, want %v", err, tc.is)
			}
			if calls() != 1 || len(clock.Sleeps()) != 0 {
				t.Errorf("%d attempts and waits %v, want 1 attempt and none", calls(), clock.Sleeps())
			}
		})
	}
}

func TestGiveUpWhenWaitPassesDeadline(t *testing.T) {
	handler, calls := sequenceHandler(status(http.StatusTooManyRequests, "Retry-After", "600"))
	srv := newFakeServer(t, handler)
	c, clock := newTestClient(t, srv.URL, "key")
	c.now = time.Now // the deadline below is on the real clock

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := c.GetStorage(ctx, testRef)
	if !errors.Is(err, ErrRateLimited) {
		t.Fatalf("error = %v, want the 429 itself", err)
	}
	if calls() != 1 || len(clock.Sleeps()) != 0 {
		t.Errorf("%d attempts and waits %v, want 1 and none", calls(), clock.Sleeps())
	}
}

func TestOverlongRetryAfterIsNotWaitedFor(t *testing.T) {
	handler, calls := sequenceHandler(status(http.StatusServiceUnavailable, "Retry-After", "3600"))
	srv := newFakeServer(t, handler)
	c, clock := newTestClient(t, srv.URL, "key")
	if _, err := c.GetStorage(context.Background(), testRef); !errors.Is(err, ErrServer) {
		t.Fatalf("error = %v, want the 503", err)
	}
	if calls() != 1 || len(clock.Sleeps()) != 0 {
		t.Errorf("%d attempts and waits %v, want 1 and none", calls(), clock.Sleeps())
	}
}

// hangUp closes the connection without an answer.
func hangUp(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

func TestTransportErrors(t *testing.T) {
	t.Run("read is retried", func(t *testing.T) {
		handler, calls := sequenceHandler(hangUp)
		srv := newFakeServer(t, handler)
		c, clock := newTestClient(t, srv.URL, "key")
		if _, err := c.GetStorage(context.Background(), testRef); err != nil {
			t.Fatal(err)
		}
		if calls() != 2 || len(clock.Sleeps()) != 1 {
			t.Errorf("%d attempts and waits %v, want 2 and one", calls(), clock.Sleeps())
		}
	})
	t.Run("create is not", func(t *testing.T) {
		handler, calls := sequenceHandler(hangUp)
		srv := newFakeServer(t, handler)
		c, _ := newTestClient(t, srv.URL, "key")
		_, err := c.CreateStorage(context.Background(), "s3", Import, map[string]any{})
		if err == nil || !strings.Contains(err.Error(), "POST /api/storages/s3/: ") ||
			!strings.Contains(err.Error(), "the request may have reached the server") || !UnknownOutcome(err) {
			t.Fatalf("error = %v", err)
		}
		if strings.Contains(err.Error(), srv.URL) {
			t.Errorf("error shows the full URL: %v", err)
		}
		if calls() != 1 {
			t.Errorf("%d attempts, want 1", calls())
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		c, clock := newTestClient(t, url, "key", func(cfg *Config) { cfg.MaxRetries = 2 })
		_, err := c.GetStorage(context.Background(), testRef)
		if err == nil || !strings.HasPrefix(err.Error(), "GET /api/storages/s3/7: ") {
			t.Fatalf("error = %v", err)
		}
		if len(clock.Sleeps()) != 2 {
			t.Errorf("waits %v, want two retries", clock.Sleeps())
		}
	})
}

func TestEachAttemptHasItsOwnTimeout(t *testing.T) {
	var mu sync.Mutex
	attempts := 0
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		attempts++
		first := attempts == 1
		mu.Unlock()
		if first {
			<-r.Context().Done() // hang until the client gives up on this attempt
			return
		}
		writeJSON(w, http.StatusOK, storageJSON)
	})
	c, _ := newTestClient(t, srv.URL, "key", func(cfg *Config) { cfg.RequestTimeout = 50 * time.Millisecond })
	if _, err := c.GetStorage(context.Background(), testRef); err != nil {
		t.Fatalf("second attempt should succeed: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if attempts != 2 {
		t.Errorf("%d attempts, want 2", attempts)
	}
}

func TestContextCancellation(t *testing.T) {
	t.Run("during a request", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
			cancel()
			<-r.Context().Done()
		})
		c, clock := newTestClient(t, srv.URL, "key")
		_, err := c.GetStorage(ctx, testRef)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
		if len(clock.Sleeps()) != 0 || len(srv.recorded()) != 1 {
			t.Errorf("retried after cancellation: waits %v, %d requests", clock.Sleeps(), len(srv.recorded()))
		}
	})
	t.Run("during a retry wait", func(t *testing.T) {
		handler, calls := sequenceHandler(status(503, "Retry-After", "60"))
		srv := newFakeServer(t, handler)
		c, _ := newTestClient(t, srv.URL, "key")
		ctx, cancel := context.WithCancel(context.Background())
		var waited time.Duration
		c.sleep = func(ctx context.Context, d time.Duration) error {
			waited = d
			cancel()
			return sleepContext(ctx, d) // returns at once: ctx is done
		}
		_, err := c.GetStorage(ctx, testRef)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
		if waited != time.Minute || calls() != 1 {
			t.Errorf("waited %v with %d attempts, want 1m and 1", waited, calls())
		}
	})
}

func TestListProjectsWalksPages(t *testing.T) {
	const total = 250
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		pageNumber, _ := strconv.Atoi(r.URL.Query().Get("page"))
		size, _ := strconv.Atoi(r.URL.Query().Get("page_size"))
		var results []string
		for id := (pageNumber-1)*size + 1; id <= min(pageNumber*size, total); id++ {
			results = append(results, fmt.Sprintf(`{"id":%d,"title":"p%d"}`, id, id))
		}
		next := "null"
		if pageNumber*size < total {
			next = fmt.Sprintf(`"http://other-host/api/projects/?page=%d"`, pageNumber+1)
		}
		writeJSON(w, http.StatusOK, fmt.Sprintf(`{"count":%d,"next":%s,"previous":null,"results":[%s]}`,
			total, next, strings.Join(results, ",")))
	})
	c, _ := newTestClient(t, srv.URL, "key")
	projects, err := c.ListProjects(context.Background(), ProjectFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(projects) != total {
		t.Fatalf("%d projects, want %d", len(projects), total)
	}
	for i, p := range projects {
		if p.ID != int64(i+1) || p.Title != fmt.Sprintf("p%d", i+1) {
			t.Fatalf("project %d = %+v", i, p)
		}
	}
	var queries []string
	for _, r := range srv.recorded() {
		queries = append(queries, r.Path+"?"+r.RawQuery)
	}
	want := []string{
		"/api/projects/?page=1&page_size=100",
		"/api/projects/?page=2&page_size=100",
		"/api/projects/?page=3&page_size=100",
	}
	if !reflect.DeepEqual(queries, want) {
		t.Errorf("requests = %q, want %q", queries, want)
	}
}

// TestSecretsNeverLeak runs a PAT session that creates a storage with a
// secret, fails a validation and fails a refresh, and checks that neither the
// keys nor the secret appear in the captured logs or any error string.
func TestSecretsNeverLeak(t *testing.T) {
	const secret = "SECRET-aws-key-Zx9"
	pat := makeJWT(t, map[string]any{"token_type": "refresh", "jti": "pat-Q7"})
	var clock *fakeclock.Clock
	srv := newPATServer(t, pat, func() *fakeclock.Clock { return clock })
	legacy := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 400, envelope(400, "Validation error", `{"non_field_errors":["Cannot find bucket b in S3"]}`))
	})

	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	c, clk := newTestClient(t, srv.URL, pat)
	clock = clk
	body := map[string]any{"bucket": "b", "aws_secret_access_key": secret}

	var errs []error
	_, err := c.GetProject(ctx, 1)
	errs = append(errs, err)
	_, err = c.CreateStorage(ctx, "s3", Import, body) // answered by the PAT server's 200
	errs = append(errs, err)
	srv.setRejectAll()
	_, err = c.UpdateStorage(ctx, testRef, body)
	errs = append(errs, err)

	bad, _ := newTestClient(t, srv.URL, makeJWT(t, map[string]any{"token_type": "refresh", "jti": "other-pat"}))
	errs = append(errs, bad.CheckAuth(ctx))

	legacyClient, _ := newTestClient(t, legacy.URL, "legacy-key-0123456789abcdef")
	errs = append(errs, legacyClient.ValidateStorage(ctx, "s3", Import, body))

	srv.mu.Lock()
	access := srv.current
	srv.mu.Unlock()
	secrets := []string{secret, pat, access, "legacy-key-0123456789abcdef", "other-pat"}

	entries, err := tflogtest.MultilineJSONDecode(&logs)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 6 {
		t.Fatalf("only %d log entries: %s", len(entries), logs.String())
	}
	sawStatus := false
	for _, entry := range entries {
		if entry["@level"] != "debug" {
			t.Errorf("log entry at %v, want debug", entry["@level"])
		}
		if entry["status"] != nil && entry["method"] != nil && entry["path"] != nil && entry["duration_ms"] != nil {
			sawStatus = true
		}
	}
	if !sawStatus {
		t.Errorf("no entry logged method, path, status and duration: %s", logs.String())
	}
	for _, s := range secrets {
		if strings.Contains(logs.String(), s) {
			t.Errorf("the logs contain a secret (%.8s…)", s)
		}
		for _, e := range errs {
			if e != nil && strings.Contains(e.Error(), s) {
				t.Errorf("error %q contains a secret (%.8s…)", e, s)
			}
		}
	}
	if errs[2] == nil || errs[3] == nil || errs[4] == nil {
		t.Errorf("expected the last three calls to fail: %v", errs)
	}
}

func TestTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"id":1}`)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the rejected handshake is expected
	srv.StartTLS()
	defer srv.Close()
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})

	trusted, _ := newTestClient(t, srv.URL, "key", func(cfg *Config) { cfg.CACertPEM = caPEM })
	if err := trusted.CheckAuth(context.Background()); err != nil {
		t.Errorf("with the server's CA: %v", err)
	}

	untrusted, _ := newTestClient(t, srv.URL, "key", func(cfg *Config) { cfg.MaxRetries = -1 })
	err := untrusted.CheckAuth(context.Background())
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("without the CA: %v, want a certificate error", err)
	}

	insecure, _ := newTestClient(t, srv.URL, "key", func(cfg *Config) { cfg.InsecureSkipVerify = true })
	if err := insecure.CheckAuth(context.Background()); err != nil {
		t.Errorf("with InsecureSkipVerify: %v", err)
	}

	if _, err := New(Config{URL: srv.URL, APIKey: "key", CACertPEM: []byte("not a certificate")}); err == nil ||
		!strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("New with a bad CA bundle: %v", err)
	}
}
