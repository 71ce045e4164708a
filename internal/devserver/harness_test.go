package devserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver/connect"
)

// fakeBackend stands in for every storage server in unit tests: one flat
// object namespace, a switchable connection error, and a record of what
// the server asked of it.
type fakeBackend struct {
	mu          sync.Mutex
	objects     map[string][]byte
	written     map[string][]byte
	validateErr error
	listErr     error
	// listGate, when set, makes List wait until it is closed, so a test can
	// look at a sync while it runs.
	listGate chan struct{}
	// readHook, when set, runs before each Read (outside the lock).
	readHook  func(key string)
	validated []connect.Settings
}

func newFakeBackend() *fakeBackend {
	return &fakeBackend{objects: map[string][]byte{}, written: map[string][]byte{}}
}

func (f *fakeBackend) connectorFor(kind string, _ connect.Env) (connect.Connector, error) {
	return &fakeConnector{backend: f, kind: kind}, nil
}

func (f *fakeBackend) put(key, content string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.objects[key] = []byte(content)
}

func (f *fakeBackend) setValidateErr(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.validateErr = err
}

func (f *fakeBackend) validations() []connect.Settings {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]connect.Settings(nil), f.validated...)
}

func (f *fakeBackend) writtenObjects() map[string][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string][]byte{}
	for k, v := range f.written {
		out[k] = v
	}
	return out
}

type fakeConnector struct {
	backend *fakeBackend
	kind    string
}

func (c *fakeConnector) Validate(_ context.Context, s connect.Settings, _ connect.Direction) error {
	c.backend.mu.Lock()
	defer c.backend.mu.Unlock()
	c.backend.validated = append(c.backend.validated, s)
	return c.backend.validateErr
}

func (c *fakeConnector) List(ctx context.Context, _ connect.Settings) ([]connect.Object, error) {
	c.backend.mu.Lock()
	gate := c.backend.listGate
	c.backend.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	c.backend.mu.Lock()
	defer c.backend.mu.Unlock()
	if c.backend.listErr != nil {
		return nil, c.backend.listErr
	}
	keys := make([]string, 0, len(c.backend.objects))
	for k := range c.backend.objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]connect.Object, 0, len(keys))
	for _, k := range keys {
		out = append(out, connect.Object{Key: k, Size: int64(len(c.backend.objects[k]))})
	}
	return out, nil
}

func (c *fakeConnector) Read(_ context.Context, _ connect.Settings, key string) ([]byte, error) {
	c.backend.mu.Lock()
	hook := c.backend.readHook
	c.backend.mu.Unlock()
	if hook != nil {
		hook(key)
	}
	c.backend.mu.Lock()
	defer c.backend.mu.Unlock()
	data, ok := c.backend.objects[key]
	if !ok {
		return nil, fmt.Errorf("no object %s", key)
	}
	return data, nil
}

func (c *fakeConnector) Write(_ context.Context, _ connect.Settings, key string, data []byte) error {
	c.backend.mu.Lock()
	defer c.backend.mu.Unlock()
	c.backend.written[key] = data
	return nil
}

func (c *fakeConnector) Delete(_ context.Context, _ connect.Settings, key string) error {
	c.backend.mu.Lock()
	defer c.backend.mu.Unlock()
	delete(c.backend.written, key)
	return nil
}

func (c *fakeConnector) BlobURL(s connect.Settings, key string) string {
	bucket, _ := s["bucket"].(string)
	return c.kind + "://" + bucket + "/" + key
}

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

// ----- response schemas -----

const openAPIPath = "testdata/openapi.yml"

var (
	specOnce     sync.Once
	specCompiler *jsonschema.Compiler
	specErr      error
	schemaMu     sync.Mutex
	schemaCache  = map[string]*jsonschema.Schema{}
)

// yamlToJSON turns yaml.v3 values into the JSON-compatible values the
// schema library expects.
func yamlToJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = yamlToJSON(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = yamlToJSON(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = yamlToJSON(e)
		}
		return out
	case int:
		return json.Number(fmt.Sprint(x))
	case float64:
		return json.Number(fmt.Sprint(x))
	}
	return v
}

// relaxSpec adjusts the few places where the public schema cannot describe
// the running server (API.md: "where this file and openapi.yml disagree
// about what the server does, this file describes the running server"):
//   - RoleBasedTask is a oneOf of three serializers whose required sets
//     overlap, so no real task can match exactly one; it becomes anyOf.
//   - The task serializers type annotations as a string (a method field);
//     Label Studio returns the list of annotations.
//   - Nullable JSON fields (a storage's meta) are written as
//     oneOf [any, null], which null can never satisfy; they become anyOf.
//   - The project list's count fields are null when ?include= leaves them
//     out (label_studio/projects/serializers.py: IntegerField(default=None)
//     on a count that was not annotated).
func relaxSpec(doc map[string]any) {
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	listed := schemas["AllRolesProjectList"].(map[string]any)["properties"].(map[string]any)
	for _, name := range projectCountFields {
		if prop, ok := listed[name].(map[string]any); ok {
			listed[name] = map[string]any{"anyOf": []any{prop, map[string]any{"type": "null"}}}
		}
	}
	role := schemas["RoleBasedTask"].(map[string]any)
	role["anyOf"] = role["oneOf"]
	delete(role, "oneOf")
	relaxAnyOrNull(doc)
	for _, name := range []string{"LseTask", "LseTaskSerializerForReviewers", "LseTaskSerializerForAnnotators"} {
		props := schemas[name].(map[string]any)["properties"].(map[string]any)
		props["annotations"] = map[string]any{"type": "array"}
	}
}

// relaxAnyOrNull turns every oneOf that has an unconstrained branch into
// anyOf.
func relaxAnyOrNull(v any) {
	switch x := v.(type) {
	case map[string]any:
		if branches, ok := x["oneOf"].([]any); ok {
			for _, b := range branches {
				if branch, ok := b.(map[string]any); ok && branch["type"] == nil && branch["$ref"] == nil && branch["oneOf"] == nil {
					x["anyOf"] = branches
					delete(x, "oneOf")
					break
				}
			}
		}
		for _, e := range x {
			relaxAnyOrNull(e)
		}
	case []any:
		for _, e := range x {
			relaxAnyOrNull(e)
		}
	}
}

func compileSchema(pointer string) (*jsonschema.Schema, error) {
	specOnce.Do(func() {
		data, err := os.ReadFile(openAPIPath)
		if err != nil {
			specErr = err
			return
		}
		var raw any
		if err := yaml.Unmarshal(data, &raw); err != nil {
			specErr = err
			return
		}
		doc := yamlToJSON(raw).(map[string]any)
		relaxSpec(doc)
		specCompiler = jsonschema.NewCompiler()
		specCompiler.DefaultDraft(jsonschema.Draft2020)
		specErr = specCompiler.AddResource("file:///openapi.json", doc)
	})
	if specErr != nil {
		return nil, specErr
	}
	schemaMu.Lock()
	defer schemaMu.Unlock()
	if sch, ok := schemaCache[pointer]; ok {
		return sch, nil
	}
	sch, err := specCompiler.Compile("file:///openapi.json#" + pointer)
	if err != nil {
		return nil, err
	}
	schemaCache[pointer] = sch
	return sch, nil
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// specRoutes maps our paths to the spec's path templates ({kind} filled
// in by the caller).
var specRoutes = []struct {
	re   *regexp.Regexp
	spec string
}{
	{regexp.MustCompile(`^/api/storages/export/([a-z0-9_]+)/?$`), "/api/storages/export/%s"},
	{regexp.MustCompile(`^/api/storages/export/([a-z0-9_]+)/validate$`), "/api/storages/export/%s/validate"},
	{regexp.MustCompile(`^/api/storages/export/([a-z0-9_]+)/[0-9]+$`), "/api/storages/export/%s/{id}"},
	{regexp.MustCompile(`^/api/storages/export/([a-z0-9_]+)/[0-9]+/sync$`), "/api/storages/export/%s/{id}/sync"},
	{regexp.MustCompile(`^/api/storages/([a-z0-9_]+)/?$`), "/api/storages/%s/"},
	{regexp.MustCompile(`^/api/storages/([a-z0-9_]+)/validate$`), "/api/storages/%s/validate"},
	{regexp.MustCompile(`^/api/storages/([a-z0-9_]+)/[0-9]+$`), "/api/storages/%s/{id}"},
	{regexp.MustCompile(`^/api/storages/([a-z0-9_]+)/[0-9]+/sync$`), "/api/storages/%s/{id}/sync"},
	{regexp.MustCompile(`^/api/projects/?$`), "/api/projects/"},
	{regexp.MustCompile(`^/api/projects/[0-9]+/?$`), "/api/projects/{id}/"},
	{regexp.MustCompile(`^/api/tasks/?$`), "/api/tasks/"},
	{regexp.MustCompile(`^/api/tasks/[0-9]+/?$`), "/api/tasks/{id}/"},
	{regexp.MustCompile(`^/api/version/?$`), "/api/version/"},
	{regexp.MustCompile(`^/api/token/?$`), "/api/token/"},
	{regexp.MustCompile(`^/api/token/refresh/?$`), "/api/token/refresh/"},
	{regexp.MustCompile(`^/api/current-user/whoami$`), "/api/current-user/whoami"},
}

// envelopeSchema is the error body of API.md 9, which the public schema
// does not describe.
var envelopeSchema = mustCompileJSON("file:///envelope.json", `{
  "type": "object",
  "required": ["id", "status_code", "version", "detail", "exc_info"],
  "properties": {
    "id": {"type": "string", "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"},
    "status_code": {"type": "integer"},
    "version": {"type": "string"},
    "detail": {"type": "string"},
    "exc_info": {"type": ["string", "null"]},
    "validation_errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}
  },
  "additionalProperties": false
}`)

// checkResponseSchema validates every answer the tests receive: success
// bodies against the operation's response schema in openapi.yml, error
// bodies against the envelope, with the documented exceptions.
func checkResponseSchema(t *testing.T, method string, u *url.URL, r response) {
	t.Helper()
	p := u.Path
	switch {
	case strings.HasPrefix(p, "/_dev/"):
		return // test hooks, not Label Studio's API
	case strings.HasPrefix(r.header.Get("Content-Type"), "text/html"):
		if r.status != http.StatusNotFound {
			t.Errorf("%s %s: HTML answer with status %d", method, p, r.status)
		}
		return // Django's not-found page for unmatched URLs (API.md 1)
	case r.status >= 400:
		if strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
			return // an injected gateway fault, not Label Studio
		}
		if strings.HasSuffix(p, "/sync") && r.status == http.StatusBadRequest && bytes.HasPrefix(r.body, []byte(`{"message":`)) {
			return // non-synchronizable storage: {"message": …} (API.md 6.1)
		}
		validateInstance(t, method+" "+p, envelopeSchema, r.body)
		return
	case r.status == http.StatusNoContent:
		if len(r.body) != 0 {
			t.Errorf("%s %s: 204 with a body", method, p)
		}
		return // delete: the spec says 200, the server sends 204 (API.md 1)
	}
	if strings.HasSuffix(p, "/validate") {
		if len(r.body) != 0 {
			t.Errorf("%s %s: validate answered a body: %s", method, p, r.body)
		}
		return // the spec's empty object; the server sends an empty body (API.md 1)
	}
	if p == "/api/storages/types" || p == "/api/storages/export/types" {
		dir := "types"
		if strings.Contains(p, "export") {
			dir = "export/types"
		}
		checkOperation(t, "/api/storages/"+dir, "get", "200", r.body)
		return
	}
	if p == "/api/storages/" || p == "/api/storages" || p == "/api/storages/export" {
		// Not in the spec: a concatenation of the per-kind lists; each item
		// must match its own kind's schema.
		var items []json.RawMessage
		if err := json.Unmarshal(r.body, &items); err != nil {
			t.Errorf("%s %s: not an array: %s", method, p, r.body)
			return
		}
		for _, item := range items {
			var head struct{ Type string }
			_ = json.Unmarshal(item, &head)
			spec := "/api/storages/" + head.Type + "/{id}"
			if strings.HasSuffix(p, "export") {
				spec = "/api/storages/export/" + head.Type + "/{id}"
			}
			checkOperation(t, spec, "get", "200", item)
		}
		return
	}
	for _, route := range specRoutes {
		m := route.re.FindStringSubmatch(p)
		if m == nil {
			continue
		}
		spec := route.spec
		if len(m) > 1 {
			spec = fmt.Sprintf(spec, m[1])
		}
		op := strings.ToLower(method)
		if method == http.MethodPut {
			op = "patch" // PUT works but is hidden from the schema (API.md 1)
		}
		checkOperation(t, spec, op, fmt.Sprint(r.status), r.body)
		return
	}
	t.Errorf("%s %s: no schema mapping for this response", method, p)
}

func checkOperation(t *testing.T, specPath, op, status string, body []byte) {
	t.Helper()
	pointer := "/paths/" + escapePointer(specPath) + "/" + op + "/responses/" + status + "/content/application~1json/schema"
	sch, err := compileSchema(pointer)
	if err != nil {
		t.Errorf("schema %s: %v", pointer, err)
		return
	}
	validateInstance(t, op+" "+specPath, sch, body)
}

func validateInstance(t *testing.T, what string, sch *jsonschema.Schema, body []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Errorf("%s: body is not JSON: %v: %q", what, err, body)
		return
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("%s: response does not match the schema: %v\nbody: %s", what, err, body)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// mustCompileJSON compiles a schema written in the test.
func mustCompileJSON(location, text string) *jsonschema.Schema {
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		panic(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(location, doc); err != nil {
		panic(err)
	}
	return c.MustCompile(location)
}
