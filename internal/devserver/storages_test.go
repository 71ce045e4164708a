package devserver

import (
	"bytes"
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver/connect"
)

// Behaviour 2: fields, defaults, normalisations and secrets per kind.

var createdAtFormat = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`)

func TestCreateDefaultsPerKind(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.SyncOnTargetStorageCreation = false })
	project := ts.createProject("")
	for _, kind := range []string{"s3", "gcs", "azure", "redis", "localfiles"} {
		for _, dir := range []string{dirImport, dirExport} {
			got := ts.createStorage(kind, dir, map[string]any{"project": project})
			want := map[string]any{
				"project": float64(project), "status": "initialized", "synchronizable": true, "use_blob_urls": false,
				"last_sync": nil, "last_sync_count": nil, "last_sync_job": nil, "traceback": nil,
				"title": nil, "description": nil, "regex_filter": nil,
			}
			presign := dir == dirImport && kind != "redis" && kind != "localfiles"
			if presign {
				want["presign"], want["presign_ttl"], want["recursive_scan"] = true, float64(1), false
			}
			if kind == "localfiles" && dir == dirImport {
				want["recursive_scan"] = false
			}
			if dir == dirExport {
				want["can_delete_objects"] = nil
			}
			if kind == "redis" {
				want["db"] = map[string]any{dirImport: float64(1), dirExport: float64(2)}[dir]
			}
			for field, value := range want {
				if v, ok := got[field]; !ok || v != value {
					t.Errorf("%s %s: %s = %v (present %v), want %v", kind, dir, field, v, ok, value)
				}
			}
			if meta, ok := got["meta"].(map[string]any); !ok || len(meta) != 0 {
				t.Errorf("%s %s: meta %v, want {}", kind, dir, got["meta"])
			}
			if _, ok := got["presign"]; ok != presign {
				t.Errorf("%s %s: presign present = %v", kind, dir, ok)
			}
			if !createdAtFormat.MatchString(got["created_at"].(string)) {
				t.Errorf("%s %s: created_at %v", kind, dir, got["created_at"])
			}
		}
	}
}

// secretsByKind are the write-only fields of API.md 5.
var secretsByKind = map[string][]string{
	"s3":    {"aws_access_key_id", "aws_secret_access_key", "aws_session_token"},
	"gcs":   {"google_application_credentials"},
	"azure": {"account_name", "account_key"},
	"redis": {"password"},
}

func TestSecretsNeverReturnedAndKeptOnPatch(t *testing.T) {
	ts := newTestServer(t, nil)
	project := ts.createProject("")
	for kind, secrets := range secretsByKind {
		for _, dir := range []string{dirImport, dirExport} {
			body := map[string]any{"project": project, "bucket": "b", "container": "c"}
			for _, name := range secrets {
				body[name] = "secret-" + name
			}
			created := ts.createStorage(kind, dir, body)
			id := int64(created["id"].(float64))
			responses := []response{
				ts.mustDo(http.MethodGet, storagePath(kind, dir, id, ""), nil, http.StatusOK),
				ts.mustDo(http.MethodGet, storagePath(kind, dir, 0, "")+"?project="+itoa(project), nil, http.StatusOK),
				ts.mustDo(http.MethodGet, "/api/storages/?project="+itoa(project), nil, http.StatusOK),
				ts.mustDo(http.MethodPatch, storagePath(kind, dir, id, ""), map[string]any{"title": "t", "bucket": "b"}, http.StatusOK),
				ts.mustDo(http.MethodPost, storagePath(kind, dir, id, "sync"), nil, http.StatusOK),
			}
			for _, r := range responses {
				if bytes.Contains(r.body, []byte("secret-")) {
					t.Errorf("%s %s: a secret in a response: %s", kind, dir, r.body)
				}
			}
			// The sync above tested the connection with the stored row:
			// the PATCH without secrets kept them.
			seen := ts.backend.validations()
			last := seen[len(seen)-1]
			for _, name := range secrets {
				if name == "aws_session_token" {
					continue // reset by the key pair, checked in TestS3CredentialRules
				}
				if last[name] != "secret-"+name {
					t.Errorf("%s %s: %s after PATCH = %v, want the stored value", kind, dir, name, last[name])
				}
			}
		}
	}
}

// label_studio/io_storages/s3/serializers.py: the key pair is checked first
// on which fields the body has (values aside), then, only when a bucket is
// set, on the values of the storage about to be tested; any key field in the
// body, even an empty one, resets the stored session token.
func TestS3CredentialRules(t *testing.T) {
	ts := newTestServer(t, nil)
	project := ts.createProject("")
	for _, c := range []struct {
		missing string
		body    map[string]any
	}{
		{"aws_secret_access_key", map[string]any{"aws_access_key_id": "AKIA"}},
		{"aws_secret_access_key", map[string]any{"aws_access_key_id": ""}},
		{"aws_access_key_id", map[string]any{"aws_secret_access_key": ""}},
		{"aws_access_key_id", map[string]any{"aws_secret_access_key": "s", "aws_access_key_id": "", "bucket": "b"}},
	} {
		c.body["project"] = project
		got := ts.fieldErrors(ts.do(http.MethodPost, "/api/storages/s3/", c.body), c.missing)
		if got[0] != msgCredentialPair {
			t.Errorf("%v: %v", c.body, got)
		}
	}
	// Without a bucket nothing is tested, so only presence counts.
	ts.createStorage("s3", dirImport, map[string]any{"project": project, "aws_access_key_id": "", "aws_secret_access_key": "s"})
	got := ts.fieldErrors(ts.do(http.MethodPost, "/api/storages/s3/", map[string]any{"project": project, "aws_session_token": "tok"}), "aws_session_token")
	if got[0] != msgSessionToken {
		t.Errorf("session token alone: %v", got)
	}
	// Both empty means the default credential chain.
	ts.createStorage("s3", dirImport, map[string]any{"project": project, "aws_access_key_id": "", "aws_secret_access_key": ""})

	created := ts.createStorage("s3", dirImport, map[string]any{"project": project, "aws_access_key_id": "a", "aws_secret_access_key": "b", "aws_session_token": "old"})
	id := int64(created["id"].(float64))
	stored := func() map[string]any {
		ts.mustDo(http.MethodPost, storagePath("s3", dirImport, id, "sync"), nil, http.StatusOK)
		seen := ts.backend.validations()
		return seen[len(seen)-1]
	}
	// A PATCH without key fields keeps all three.
	ts.mustDo(http.MethodPatch, storagePath("s3", dirImport, id, ""), map[string]any{"title": "renamed"}, http.StatusOK)
	if last := stored(); last["aws_session_token"] != "old" || last["aws_access_key_id"] != "a" {
		t.Errorf("after a title PATCH: token %v, key %v", last["aws_session_token"], last["aws_access_key_id"])
	}
	// A new key pair without a session token resets the stored token.
	ts.mustDo(http.MethodPatch, storagePath("s3", dirImport, id, ""), map[string]any{"aws_access_key_id": "a2", "aws_secret_access_key": "b2"}, http.StatusOK)
	if last := stored(); last["aws_session_token"] != "" || last["aws_access_key_id"] != "a2" {
		t.Errorf("after a new key pair: token %v, key %v", last["aws_session_token"], last["aws_access_key_id"])
	}
	// So do empty key fields (back to the default credential chain).
	ts.mustDo(http.MethodPatch, storagePath("s3", dirImport, id, ""), map[string]any{"aws_session_token": "t2", "aws_access_key_id": "a2", "aws_secret_access_key": "b2"}, http.StatusOK)
	ts.mustDo(http.MethodPatch, storagePath("s3", dirImport, id, ""), map[string]any{"aws_access_key_id": "", "aws_secret_access_key": ""}, http.StatusOK)
	if last := stored(); last["aws_session_token"] != "" || last["aws_access_key_id"] != "" {
		t.Errorf("after empty keys: token %v, key %v", last["aws_session_token"], last["aws_access_key_id"])
	}

	bad := ts.fieldErrors(ts.do(http.MethodPost, "/api/storages/s3/", map[string]any{"project": project, "bucket": "no spaces allowed"}), "bucket")
	if !strings.HasPrefix(bad[0].(string), `Invalid bucket name "no spaces allowed"`) {
		t.Errorf("bucket name: %v", bad)
	}
}

func TestNormalisations(t *testing.T) {
	ts := newTestServer(t, nil)
	project := ts.createProject("")
	local := ts.createStorage("localfiles", dirImport, map[string]any{"project": project, "path": ` /data\images//cats/ `})
	if local["path"] != "/data/images/cats" {
		t.Errorf("local files path %q, want /data/images/cats", local["path"])
	}
	redis := ts.createStorage("redis", dirImport, map[string]any{"project": project, "port": 6379})
	if redis["port"] != "6379" {
		t.Errorf("redis port %#v, want the string 6379", redis["port"])
	}
	titled := ts.createStorage("gcs", dirImport, map[string]any{"project": project, "title": "  spaced  ", "unknown_field": 1})
	if titled["title"] != "spaced" {
		t.Errorf("title %q: DRF trims strings", titled["title"])
	}
	if _, ok := titled["unknown_field"]; ok {
		t.Errorf("unknown field echoed")
	}
}

func TestSynchronizableDefaultOnCreateAndPutNotPatch(t *testing.T) {
	ts := newTestServer(t, nil)
	project := ts.createProject("")
	created := ts.createStorage("s3", dirImport, map[string]any{"project": project, "synchronizable": false, "presign": false})
	id := int64(created["id"].(float64))
	patched := ts.object(ts.mustDo(http.MethodPatch, storagePath("s3", dirImport, id, ""), map[string]any{"title": "x"}, http.StatusOK))
	if patched["synchronizable"] != false || patched["presign"] != false {
		t.Errorf("PATCH applied defaults: %v", patched)
	}
	put := ts.object(ts.mustDo(http.MethodPut, storagePath("s3", dirImport, id, ""), map[string]any{"project": project}, http.StatusOK))
	if put["synchronizable"] != true || put["presign"] != true || put["title"] != "x" {
		t.Errorf("PUT: synchronizable %v presign %v title %v", put["synchronizable"], put["presign"], put["title"])
	}
	ts.fieldErrors(ts.do(http.MethodPut, storagePath("s3", dirImport, id, ""), map[string]any{"title": "no project"}), "project")
}

func TestFormAndMultipartBodies(t *testing.T) {
	ts := newTestServer(t, nil)
	project := ts.createProject("")
	form := url.Values{"project": {itoa(project)}, "title": {"from a form"}, "presign_ttl": {"7"}, "use_blob_urls": {"true"}}
	r := ts.request(http.MethodPost, "/api/storages/s3/", strings.NewReader(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	got := ts.object(r)
	if r.status != http.StatusCreated || got["title"] != "from a form" || got["presign_ttl"] != float64(7) || got["use_blob_urls"] != true {
		t.Errorf("form create: %d %s", r.status, r.body)
	}

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range map[string]string{"project": itoa(project), "path": "/srv/data", "recursive_scan": "1"} {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	r = ts.request(http.MethodPost, "/api/storages/localfiles/", &buf, map[string]string{"Content-Type": mw.FormDataContentType()})
	got = ts.object(r)
	if r.status != http.StatusCreated || got["path"] != "/srv/data" || got["recursive_scan"] != true {
		t.Errorf("multipart create: %d %s", r.status, r.body)
	}
}

// Behaviour 3: the error envelope.

func TestFieldErrors(t *testing.T) {
	ts := newTestServer(t, nil)
	project := ts.createProject("")
	cases := []struct {
		body  map[string]any
		field string
		want  string
	}{
		{map[string]any{}, "project", "This field is required."},
		{map[string]any{"project": 999}, "project", `Invalid pk "999" - object does not exist.`},
		{map[string]any{"project": "abc"}, "project", "Incorrect type. Expected pk value, received str."},
		{map[string]any{"project": project, "presign": "maybe"}, "presign", "Must be a valid boolean."},
		{map[string]any{"project": project, "presign_ttl": "soon"}, "presign_ttl", "A valid integer is required."},
		{map[string]any{"project": project, "presign_ttl": 40000}, "presign_ttl", "Ensure this value is less than or equal to 32767."},
		{map[string]any{"project": project, "title": strings.Repeat("t", 257)}, "title", "Ensure this field has no more than 256 characters."},
		{map[string]any{"project": project, "bucket": []any{"b"}}, "bucket", "Not a valid string."},
		{map[string]any{"project": project, "synchronizable": nil}, "synchronizable", "This field may not be null."},
		{map[string]any{"project": project, "status": "done"}, "status", `"done" is not a valid choice.`},
	}
	for _, c := range cases {
		if got := ts.fieldErrors(ts.do(http.MethodPost, "/api/storages/s3/", c.body), c.field); got[0] != c.want {
			t.Errorf("%v: %s = %v, want %q", c.body, c.field, got, c.want)
		}
	}
	malformed := ts.request(http.MethodPost, "/api/storages/s3/", strings.NewReader(`{"project":`), map[string]string{"Content-Type": "application/json"})
	if env := ts.envelope(malformed, http.StatusBadRequest); !strings.HasPrefix(env["detail"].(string), "JSON parse error") {
		t.Errorf("malformed JSON: %v", env)
	}
	array := ts.request(http.MethodPost, "/api/storages/s3/", strings.NewReader(`[1]`), map[string]string{"Content-Type": "application/json"})
	if got := ts.fieldErrors(array, "non_field_errors"); got[0] != "Invalid data. Expected a dictionary, but got list." {
		t.Errorf("array body: %v", got)
	}
}

// panickyBackend is a backend whose connection test panics.
type panickyBackend struct{ *fakeBackend }

func (p panickyBackend) connectorFor(string, connect.Env) (connect.Connector, error) {
	return panicConnector{}, nil
}

type panicConnector struct{ connect.Connector }

func (panicConnector) Validate(_ context.Context, _ connect.Settings, _ connect.Direction) error {
	panic("connector exploded")
}

func TestPanicBecomesEnvelope(t *testing.T) {
	ts := newTestServer(t, nil)
	project := ts.createProject("")
	ts.srv.connectorFor = panickyBackend{ts.backend}.connectorFor
	env := ts.envelope(ts.do(http.MethodPost, "/api/storages/gcs/", map[string]any{"project": project}), http.StatusInternalServerError)
	if env["detail"] != "connector exploded" {
		t.Errorf("detail %v", env["detail"])
	}
	ts.mustDo(http.MethodGet, "/api/version/", nil, http.StatusOK) // still serving
}

// Behaviour 5: connection validation through the connectors.

func TestCreateValidation(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.SyncOnTargetStorageCreation = false })
	project := ts.createProject("")
	notFound := &connect.Error{Message: "Cannot find bucket nope in S3"}

	ts.backend.setValidateErr(notFound)
	got := ts.fieldErrors(ts.do(http.MethodPost, "/api/storages/s3/", map[string]any{"project": project, "bucket": "nope"}), "non_field_errors")
	if got[0] != notFound.Message {
		t.Errorf("s3 import: %v", got)
	}
	ts.backend.setValidateErr(&connect.Error{Message: "Path /x does not exist", Field: "path"})
	if got := ts.fieldErrors(ts.do(http.MethodPost, "/api/storages/localfiles/", map[string]any{"project": project, "path": "/x"}), "path"); got[0] != "Path /x does not exist" {
		t.Errorf("local files field error: %v", got)
	}
	ts.backend.setValidateErr(errors.New("error 111 connecting to localhost:6379: connection refused"))
	if got := ts.fieldErrors(ts.do(http.MethodPost, "/api/storages/redis/", map[string]any{"project": project}), "non_field_errors"); got[0] != msgRedisConnect {
		t.Errorf("redis import: %v", got)
	}
	if got := ts.fieldErrors(ts.do(http.MethodPost, "/api/storages/export/redis", map[string]any{"project": project}), "non_field_errors"); !strings.HasPrefix(got[0].(string), "error 111") {
		t.Errorf("redis export is wrapped by the view with the raw text: %v", got)
	}
	ts.backend.setValidateErr(&connect.Error{Message: "Debugging info is not available for s3 endpoints on domain: 127.0.0.1", Internal: true})
	env := ts.envelope(ts.do(http.MethodPost, "/api/storages/s3/", map[string]any{"project": project, "bucket": "b"}), http.StatusInternalServerError)
	if !strings.HasPrefix(env["detail"].(string), "Debugging info") {
		t.Errorf("internal: %v", env)
	}

	// S3 import without a bucket is created without a connection test.
	before := len(ts.backend.validations())
	ts.createStorage("s3", dirImport, map[string]any{"project": project})
	if len(ts.backend.validations()) != before {
		t.Errorf("s3 import without bucket was tested")
	}
	ts.backend.setValidateErr(nil)
}

func TestPatchValidation(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.SyncOnTargetStorageCreation = false })
	project := ts.createProject("")
	create := func(kind, dir string, body map[string]any) int64 {
		body["project"] = project
		return int64(ts.createStorage(kind, dir, body)["id"].(float64))
	}
	patch := func(kind, dir string, id int64, body map[string]any) (bool, connect.Settings) {
		before := len(ts.backend.validations())
		ts.mustDo(http.MethodPatch, storagePath(kind, dir, id, ""), body, http.StatusOK)
		seen := ts.backend.validations()
		if len(seen) == before {
			return false, nil
		}
		return true, seen[len(seen)-1]
	}
	s3 := create("s3", dirImport, map[string]any{"bucket": "b", "aws_access_key_id": "k", "aws_secret_access_key": "s"})
	if tested, _ := patch("s3", dirImport, s3, map[string]any{"title": "t"}); tested {
		t.Errorf("s3 title-only PATCH was tested")
	}
	if tested, seen := patch("s3", dirImport, s3, map[string]any{"bucket": "b2"}); !tested || seen["aws_secret_access_key"] != "s" || seen["bucket"] != "b2" {
		t.Errorf("s3 PATCH with bucket: tested %v with %v", tested, seen["bucket"])
	}
	gcs := create("gcs", dirImport, map[string]any{"bucket": "g", "google_application_credentials": "{}"})
	if tested, seen := patch("gcs", dirImport, gcs, map[string]any{"title": "t"}); !tested || seen["bucket"] != "g" || seen["google_application_credentials"] != "{}" {
		t.Errorf("gcs import title-only PATCH: tested %v, merged %v", tested, seen)
	}
	for _, kind := range []string{"gcs", "azure", "redis"} {
		id := create(kind, dirExport, map[string]any{})
		if tested, _ := patch(kind, dirExport, id, map[string]any{"title": "t"}); tested {
			t.Errorf("%s export PATCH was tested", kind)
		}
	}
	redis := create("redis", dirImport, map[string]any{"host": "redis.local", "password": "pw"})
	if tested, seen := patch("redis", dirImport, redis, map[string]any{"title": "t"}); !tested || seen["host"] != nil || seen["password"] != nil || seen["db"] != float64(1) {
		t.Errorf("redis import PATCH tests the body alone: tested %v with %v", tested, seen)
	}
	local := create("localfiles", dirExport, map[string]any{"path": "/srv/out"})
	if tested, seen := patch("localfiles", dirExport, local, map[string]any{"title": "t"}); !tested || seen["path"] != nil {
		t.Errorf("local files PATCH tests the body alone: tested %v with %v", tested, seen)
	}
	ts.backend.setValidateErr(&connect.Error{Message: "Path must be set for Local Files storage", Field: "path"})
	ts.fieldErrors(ts.do(http.MethodPatch, storagePath("localfiles", dirExport, local, ""), map[string]any{"title": "t"}), "path")
	ts.backend.setValidateErr(errors.New("refused"))
	if got := ts.fieldErrors(ts.do(http.MethodPatch, storagePath("redis", dirImport, redis, ""), map[string]any{"title": "t"}), "non_field_errors"); got[0] != msgRedisConnect {
		t.Errorf("redis PATCH failure: %v", got)
	}
	ts.backend.setValidateErr(nil)
}

func TestValidateEndpoint(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.SyncOnTargetStorageCreation = false })
	project := ts.createProject("")
	ts.mustDo(http.MethodPost, "/api/storages/s3/validate", map[string]any{"project": project, "bucket": "b"}, http.StatusOK)
	ts.fieldErrors(ts.do(http.MethodPost, "/api/storages/s3/validate", map[string]any{"bucket": "b"}), "project")
	ts.envelope(ts.do(http.MethodPost, "/api/storages/s3/validate", map[string]any{"project": project, "id": 999}), http.StatusNotFound)

	// Serializer-level failures keep their message; the final check says
	// only "Error validating storage connection" [recent].
	ts.backend.setValidateErr(&connect.Error{Message: "Cannot find bucket b in S3"})
	if got := ts.fieldErrors(ts.do(http.MethodPost, "/api/storages/s3/validate", map[string]any{"project": project, "bucket": "b"}), "non_field_errors"); got[0] != "Cannot find bucket b in S3" {
		t.Errorf("s3 import validate: %v", got)
	}
	if got := ts.fieldErrors(ts.do(http.MethodPost, "/api/storages/export/gcs/validate", map[string]any{"project": project, "bucket": "b"}), "non_field_errors"); got[0] != msgValidateFailed {
		t.Errorf("gcs export validate: %v", got)
	}
	ts.backend.setValidateErr(nil)

	// With id: secrets are filled from the stored row; GCS writes the
	// candidate values, S3 does not.
	gcs := ts.createStorage("gcs", dirImport, map[string]any{"project": project, "bucket": "g", "google_application_credentials": "{\"k\":1}", "presign": false})
	gcsID := int64(gcs["id"].(float64))
	ts.mustDo(http.MethodPost, "/api/storages/gcs/validate", map[string]any{"project": project, "id": gcsID, "bucket": "g2", "google_application_credentials": ""}, http.StatusOK)
	seen := ts.backend.validations()
	if last := seen[len(seen)-1]; last["google_application_credentials"] != "{\"k\":1}" || last["bucket"] != "g2" {
		t.Errorf("validate with id tested %v", last)
	}
	after := ts.object(ts.mustDo(http.MethodGet, storagePath("gcs", dirImport, gcsID, ""), nil, http.StatusOK))
	if after["bucket"] != "g2" || after["presign"] != true {
		t.Errorf("gcs validate-with-id should write the candidate (defaults included): %v", after)
	}
	s3 := ts.createStorage("s3", dirImport, map[string]any{"project": project, "bucket": "s"})
	s3ID := int64(s3["id"].(float64))
	ts.mustDo(http.MethodPost, "/api/storages/s3/validate", map[string]any{"project": project, "id": s3ID, "bucket": "s2"}, http.StatusOK)
	if after := ts.object(ts.mustDo(http.MethodGet, storagePath("s3", dirImport, s3ID, ""), nil, http.StatusOK)); after["bucket"] != "s" {
		t.Errorf("s3 validate-with-id persisted the candidate: %v", after["bucket"])
	}
}

func TestExportCreateAutoSync(t *testing.T) {
	for _, mode := range []string{SyncInline, SyncQueued} {
		ts := newTestServer(t, func(c *Config) { c.SyncMode = mode })
		project := ts.createProject("")
		created := ts.createStorage("s3", dirExport, map[string]any{"project": project, "bucket": "out"})
		meta, _ := created["meta"].(map[string]any)
		if created["status"] != statusQueued || meta["attempts"] != float64(1) {
			t.Errorf("%s: export create response %v", mode, created)
		}
		if job, _ := created["last_sync_job"].(string); (mode == SyncQueued) != (job != "") {
			t.Errorf("%s: last_sync_job %v", mode, created["last_sync_job"])
		}
		ts.waitStatus("s3", dirExport, int64(created["id"].(float64)), statusCompleted)
	}
	off := newTestServer(t, func(c *Config) { c.SyncOnTargetStorageCreation = false })
	if got := off.createStorage("s3", dirExport, map[string]any{"project": off.createProject(""), "bucket": "b"}); got["status"] != statusInitialized {
		t.Errorf("without SYNC_ON_TARGET_STORAGE_CREATION: %v", got["status"])
	}
}

func TestEnterpriseS3S(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.Edition = "enterprise"; c.SyncOnTargetStorageCreation = false })
	project := ts.createProject("")
	if got := ts.fieldErrors(ts.do(http.MethodPost, "/api/storages/s3s/", map[string]any{"project": project}), "role_arn"); got[0] != msgFieldRequired {
		t.Errorf("s3s without role_arn: %v", got)
	}
	for _, dir := range []string{dirImport, dirExport} {
		created := ts.createStorage("s3s", dir, map[string]any{"project": project, "role_arn": "arn:aws:iam::123456789012:role/ls",
			"external_id": "ext", "aws_secret_access_key": "s", "aws_access_key_id": "k"})
		if created["type"] != "s3s" || created["role_arn"] != "arn:aws:iam::123456789012:role/ls" || created["legacy_auth"] != false || created["external_id"] != "ext" {
			t.Errorf("s3s %s: %v", dir, created)
		}
		if _, leaked := created["aws_secret_access_key"]; leaked {
			t.Errorf("s3s %s returned a secret", dir)
		}
	}
	community := newTestServer(t, nil)
	if r := community.do(http.MethodPost, "/api/storages/s3s/", map[string]any{"project": 1}); r.status != http.StatusNotFound {
		t.Errorf("s3s on community: %d", r.status)
	}
}

func TestBookkeepingFieldsAreWritable(t *testing.T) {
	ts := newTestServer(t, nil)
	project := ts.createProject("")
	id := int64(ts.createStorage("s3", dirImport, map[string]any{"project": project})["id"].(float64))
	got := ts.object(ts.mustDo(http.MethodPatch, storagePath("s3", dirImport, id, ""), map[string]any{
		"status": "failed", "traceback": "tb", "last_sync_count": 3, "last_sync": "2025-09-29T21:21:09Z", "meta": nil,
	}, http.StatusOK))
	if got["status"] != "failed" || got["traceback"] != "tb" || got["last_sync_count"] != float64(3) ||
		got["last_sync"] != "2025-09-29T21:21:09.000000Z" || got["meta"] != nil {
		t.Errorf("PATCH of the runtime fields: %v", got)
	}
	// A sync starts from there and still ends with a meta object.
	if done := ts.sync("s3", dirImport, id); done["meta"].(map[string]any)["attempts"] != float64(1) {
		t.Errorf("sync after meta=null: %v", done["meta"])
	}
}

// io_storages/migrations/0021_azureblobimportstorage_recursive_scan_and_more.py
// adds recursive_scan to gcs, azure and localfiles imports as
// BooleanField(default=False, null=True): null is stored and returned. S3's
// field (2021) is not nullable.
func TestRecursiveScanNullableWhereMigration0021AddedIt(t *testing.T) {
	ts := newTestServer(t, nil)
	project := ts.createProject("")
	for _, kind := range []string{"gcs", "azure", "localfiles"} {
		created := ts.createStorage(kind, dirImport, map[string]any{"project": project, "recursive_scan": nil})
		if v, ok := created["recursive_scan"]; !ok || v != nil {
			t.Errorf("%s create with null: recursive_scan = %v (present %v), want null", kind, v, ok)
		}
		id := int64(created["id"].(float64))
		ts.mustDo(http.MethodPatch, storagePath(kind, dirImport, id, ""), map[string]any{"recursive_scan": true}, http.StatusOK)
		ts.mustDo(http.MethodPatch, storagePath(kind, dirImport, id, ""), map[string]any{"recursive_scan": nil}, http.StatusOK)
		if got := ts.object(ts.mustDo(http.MethodGet, storagePath(kind, dirImport, id, ""), nil, http.StatusOK)); got["recursive_scan"] != nil {
			t.Errorf("%s after PATCH null: recursive_scan = %v, want null", kind, got["recursive_scan"])
		}
		if defaulted := ts.createStorage(kind, dirImport, map[string]any{"project": project}); defaulted["recursive_scan"] != false {
			t.Errorf("%s create without it: recursive_scan = %v, want false", kind, defaulted["recursive_scan"])
		}
	}
	if got := ts.fieldErrors(ts.do(http.MethodPost, "/api/storages/s3/", map[string]any{"project": project, "recursive_scan": nil}), "recursive_scan"); len(got) != 1 || got[0] != "This field may not be null." {
		t.Errorf("s3 create with null recursive_scan: %v", got)
	}
}
