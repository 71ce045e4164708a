package devserver

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv/mlbackend"
)

// ML backends (API.md 15), against a real model server speaking
// label-studio-ml-backend's protocol.

func (ts *testServer) createML(body map[string]any) map[string]any {
	ts.t.Helper()
	return ts.object(ts.mustDo(http.MethodPost, "/api/ml/", body, http.StatusCreated))
}

func mlPath(id any) string { return "/api/ml/" + itoa(int64(id.(float64))) }

func nonFieldError(ts *testServer, r response) string {
	ts.t.Helper()
	list := ts.fieldErrors(r, nonFieldErrors)
	text, _ := list[0].(string)
	return text
}

// ml/serializers.py validate and ml/api.py perform_create: create calls
// /health and /setup with the request's values, then update_state calls
// them again; the setup body is MLApi.setup's (ml/api_connector.py).
func TestMLCreateChecksTheModelAndStoresItsVersion(t *testing.T) {
	ts := newTestServer(t, nil)
	model := mlbackend.Start(t, mlbackend.Config{ModelVersion: "yolo-1"})
	projectID := ts.createProject(imageConfig)
	// The SDK posts to /api/ml; Label Studio re-dispatches it to /api/ml/.
	created := ts.object(ts.mustDo(http.MethodPost, "/api/ml", map[string]any{
		"url": model.URL(), "project": projectID, "extra_params": map[string]any{"threshold": 0.5},
	}, http.StatusCreated))
	if created["state"] != "CO" || created["readable_state"] != "Connected" || created["model_version"] != "yolo-1" ||
		created["title"] != "default" || created["timeout"] != 100.0 || created["auto_update"] != true ||
		created["auth_method"] != "NONE" || created["basic_auth_pass_is_set"] != false || created["error_message"] != nil ||
		created["project"] != float64(projectID) || created["is_interactive"] != false {
		t.Errorf("created: %v", created)
	}
	if _, ok := created["basic_auth_pass"]; ok {
		t.Errorf("basic_auth_pass returned: %v", created)
	}
	health, setup := model.RequestsTo("/health"), model.RequestsTo("/setup")
	if len(health) != 2 || len(setup) != 2 {
		t.Fatalf("health %d, setup %d calls; want 2 each (validate, then update_state)", len(health), len(setup))
	}
	body := setup[0].JSON()
	project := ts.object(ts.mustDo(http.MethodGet, "/api/projects/"+itoa(projectID)+"/", nil, http.StatusOK))
	createdAt, _ := time.Parse(time.RFC3339Nano, project["created_at"].(string))
	if body["project"] != itoa(projectID)+"."+itoa(createdAt.Unix()) || body["schema"] != imageConfig ||
		body["hostname"] != "http://localhost:8080" || body["access_token"] != ts.srv.LegacyToken() {
		t.Errorf("setup body: %v", body)
	}
	if params, _ := body["extra_params"].(map[string]any); params["threshold"] != 0.5 {
		t.Errorf("extra_params not passed to setup: %v", body)
	}
	if ua := setup[0].Header.Get("User-Agent"); ua != "heartex/1.23.2" {
		t.Errorf("User-Agent %q", ua)
	}
	if setup[0].Header.Get("Authorization") != "" {
		t.Errorf("Authorization sent without basic auth")
	}
	// perform_create: predictions are shown and the project had no model
	// version, so it takes the backend's title.
	if project["model_version"] != "default" {
		t.Errorf("project model_version %v, want the backend title", project["model_version"])
	}
}

// ml/urls.py: the detail path has no trailing slash; with one, Django has
// no route.
func TestMLPaths(t *testing.T) {
	ts := newTestServer(t, nil)
	model := mlbackend.Start(t, mlbackend.Config{})
	created := ts.createML(map[string]any{"url": model.URL(), "project": ts.createProject("")})
	r := ts.do(http.MethodGet, mlPath(created["id"])+"/", nil)
	if r.status != http.StatusNotFound || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Errorf("detail with a slash: %d %s", r.status, r.header.Get("Content-Type"))
	}
	env := ts.envelope(ts.do(http.MethodGet, "/api/ml/999", nil), http.StatusNotFound)
	if env["detail"] != "No MLBackend matches the given query." {
		t.Errorf("404: %v", env["detail"])
	}
}

// ml/serializers.py: the field errors, the basic-auth pair, and
// validate_basic_auth_pass, which reads self.instance even on create.
func TestMLValidation(t *testing.T) {
	ts := newTestServer(t, nil)
	model := mlbackend.Start(t, mlbackend.Config{})
	projectID := ts.createProject("")
	if got := ts.fieldErrors(ts.do(http.MethodPost, "/api/ml/", map[string]any{"project": projectID}), "url"); got[0] != "This field is required." {
		t.Errorf("missing url: %v", got)
	}
	if got := ts.fieldErrors(ts.do(http.MethodPost, "/api/ml/", map[string]any{"url": model.URL()}), "project"); got[0] != "This field is required." {
		t.Errorf("missing project: %v", got)
	}
	if got := ts.fieldErrors(ts.do(http.MethodPost, "/api/ml/", map[string]any{"url": model.URL(), "project": projectID, "timeout": "soon"}), "timeout"); got[0] != "A valid number is required." {
		t.Errorf("timeout: %v", got)
	}
	if got := ts.fieldErrors(ts.do(http.MethodPost, "/api/ml/", map[string]any{"url": model.URL(), "project": projectID, "auth_method": "TOKEN"}), "auth_method"); got[0] != `"TOKEN" is not a valid choice.` {
		t.Errorf("auth_method: %v", got)
	}
	// core/utils/io.py validate_upload_url raises InvalidUploadUrlError, a 403.
	env := ts.envelope(ts.do(http.MethodPost, "/api/ml/", map[string]any{"url": "ftp://" + strings.TrimPrefix(model.URL(), "http://"), "project": projectID}), http.StatusForbidden)
	if env["detail"] != msgInvalidUploadURL {
		t.Errorf("ftp url: %v", env["detail"])
	}
	r := ts.do(http.MethodPost, "/api/ml/", map[string]any{"url": model.URL(), "project": projectID, "auth_method": "BASIC_AUTH", "basic_auth_user": "u"})
	if got := nonFieldError(ts, r); got != msgMLBasicAuthPair {
		t.Errorf("basic auth without password: %q", got)
	}
	env = ts.envelope(ts.do(http.MethodPost, "/api/ml/", map[string]any{"url": model.URL(), "project": projectID, "basic_auth_pass": ""}), http.StatusInternalServerError)
	if env["detail"] != "'NoneType' object has no attribute 'basic_auth_pass'" {
		t.Errorf("empty password on create: %v", env["detail"])
	}
	if n := len(model.Requests()); n != 0 {
		t.Errorf("the model was called %d times for refused bodies", n)
	}
}

// api.py check_auth refuses wrong credentials; the serializer words a 401
// apart; the password is write-only, and an empty one on update keeps the
// stored one (validate_basic_auth_pass).
func TestMLBasicAuth(t *testing.T) {
	ts := newTestServer(t, nil)
	model := mlbackend.Start(t, mlbackend.Config{BasicAuthUser: "model", BasicAuthPass: "s3cret"})
	projectID := ts.createProject("")
	body := map[string]any{"url": model.URL(), "project": projectID, "auth_method": "BASIC_AUTH", "basic_auth_user": "model", "basic_auth_pass": "wrong"}
	if got := nonFieldError(ts, ts.do(http.MethodPost, "/api/ml/", body)); got != msgMLUnauthorized {
		t.Errorf("wrong password: %q", got)
	}
	body["basic_auth_pass"] = "s3cret"
	created := ts.createML(body)
	if created["basic_auth_pass_is_set"] != true || created["state"] != "CO" || strings.Contains(string(ts.mustDo(http.MethodGet, mlPath(created["id"]), nil, http.StatusOK).body), "s3cret") {
		t.Errorf("created: %v", created)
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("model:s3cret"))
	for _, req := range model.Requests()[1:] {
		if req.Header.Get("Authorization") != want {
			t.Errorf("%s without the basic auth header: %v", req.Path, req.Header)
		}
	}
	path := mlPath(created["id"])
	patched := ts.object(ts.mustDo(http.MethodPatch, path, map[string]any{
		"url": model.URL(), "project": projectID, "auth_method": "BASIC_AUTH", "basic_auth_user": "model", "basic_auth_pass": "", "title": "renamed",
	}, http.StatusOK))
	if patched["title"] != "renamed" || patched["state"] != "CO" {
		t.Errorf("patch keeping the password: %v", patched)
	}
	// validate() checks the request's values alone: without the pair the
	// health check goes out unauthenticated.
	if got := nonFieldError(ts, ts.do(http.MethodPatch, path, map[string]any{"url": model.URL(), "project": projectID})); got != msgMLUnauthorized {
		t.Errorf("patch without credentials: %q", got)
	}
	// healthcheck_(**attrs) and setup_(**attrs) need url and project.
	env := ts.envelope(ts.do(http.MethodPatch, path, map[string]any{"title": "x"}), http.StatusInternalServerError)
	if env["detail"] != "healthcheck_() missing 1 required positional argument: 'url'" {
		t.Errorf("patch without url: %v", env["detail"])
	}
	env = ts.envelope(ts.do(http.MethodPatch, path, map[string]any{"url": model.URL(), "auth_method": "BASIC_AUTH", "basic_auth_user": "model", "basic_auth_pass": "s3cret"}), http.StatusInternalServerError)
	if env["detail"] != "setup_() missing 1 required positional argument: 'project'" {
		t.Errorf("patch without project: %v", env["detail"])
	}
}

// ml/models.py update_state on every read: a dead model turns DISCONNECTED,
// a failing setup ERROR with its message, a new model version is taken
// with auto_update; updated_at moves on every read.
func TestMLReadsRecheckTheModel(t *testing.T) {
	ts := newTestServer(t, nil)
	model := mlbackend.Start(t, mlbackend.Config{ModelVersion: "v1"})
	projectID := ts.createProject("")
	created := ts.createML(map[string]any{"url": model.URL(), "project": projectID})
	path := mlPath(created["id"])

	model.SetModelVersion("v2")
	got := ts.object(ts.mustDo(http.MethodGet, path, nil, http.StatusOK))
	if got["model_version"] != "v2" || got["updated_at"] == created["updated_at"] {
		t.Errorf("after the model moved to v2: %v", got)
	}
	model.FailOn("/setup")
	got = ts.object(ts.mustDo(http.MethodGet, path, nil, http.StatusOK))
	wantErr := "500 Server Error: Internal Server Error for url: " + model.URL() + "/setup"
	if got["state"] != "ER" || got["readable_state"] != "Error" || got["error_message"] != wantErr {
		t.Errorf("setup failing: %v", got)
	}
	model.FailOn()
	model.Down()
	got = ts.object(ts.mustDo(http.MethodGet, path, nil, http.StatusOK))
	// A failed health check changes the state only; the last error stays.
	if got["state"] != "DI" || got["error_message"] != wantErr {
		t.Errorf("model down: %v", got)
	}
	if err := model.Up(); err != nil {
		t.Fatal(err)
	}
	model.SetModelVersion("v3")
	list := ts.mustDo(http.MethodGet, "/api/ml/?project="+itoa(projectID), nil, http.StatusOK)
	var items []map[string]any
	ts.decode(list, &items)
	if len(items) != 1 || items[0]["state"] != "CO" || items[0]["error_message"] != nil || items[0]["model_version"] != "v3" {
		t.Errorf("list re-checks: %v", items)
	}
	// auto_update off: the version is the user's.
	ts.mustDo(http.MethodPatch, path, map[string]any{"url": model.URL(), "project": projectID, "auto_update": false, "model_version": "pinned"}, http.StatusOK)
	model.SetModelVersion("v4")
	if got = ts.object(ts.mustDo(http.MethodGet, path, nil, http.StatusOK)); got["model_version"] != "pinned" {
		t.Errorf("auto_update false: %v", got["model_version"])
	}
}

// Create refuses with Label Studio's messages when the model is down, slow
// or failing; requests retries a failed connection and a GET's read
// timeout twice (HTTPAdapter(max_retries=2)), never a POST's.
func TestMLCreateRefusedWhenTheModelFails(t *testing.T) {
	ts := newTestServer(t, func(c *Config) {
		c.MLHealthTimeout = 100 * time.Millisecond
		c.MLSetupTimeout = 100 * time.Millisecond
	})
	model := mlbackend.Start(t, mlbackend.Config{})
	projectID := ts.createProject("")
	body := map[string]any{"url": model.URL(), "project": projectID}
	host := strings.TrimPrefix(model.URL(), "http://")
	hostName, port, _ := strings.Cut(host, ":")
	pool := "HTTPConnectionPool(host='" + hostName + "', port=" + port + ")"

	model.Down()
	got := nonFieldError(ts, ts.do(http.MethodPost, "/api/ml/", body))
	want := mlHealthMessage(model.URL(), pool+": Max retries exceeded with url: /health (Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f0000000000>: Failed to establish a new connection: [Errno 111] Connection refused'))")
	if got != want {
		t.Errorf("model down:\n got %q\nwant %q", got, want)
	}
	if err := model.Up(); err != nil {
		t.Fatal(err)
	}

	model.SetDelay(300 * time.Millisecond)
	got = nonFieldError(ts, ts.do(http.MethodPost, "/api/ml/", body))
	if !strings.HasSuffix(got, "Additional info: "+pool+": Max retries exceeded with url: /health (Caused by ReadTimeoutError(\""+pool+": Read timed out. (read timeout=0.1)\"))") {
		t.Errorf("slow health: %q", got)
	}
	if n := len(model.RequestsTo("/health")); n != 3 {
		t.Errorf("slow health called %d times, want 3 (two retries)", n)
	}
	model.SetDelay(0)

	model.FailOn("/setup")
	got = nonFieldError(ts, ts.do(http.MethodPost, "/api/ml/", body))
	if got != mlSetupMessage(model.URL(), "500 Server Error: Internal Server Error for url: "+model.URL()+"/setup") {
		t.Errorf("setup failing: %q", got)
	}
	var items []any
	ts.decode(ts.mustDo(http.MethodGet, "/api/ml/?project="+itoa(projectID), nil, http.StatusOK), &items)
	if len(items) != 0 {
		t.Errorf("refused creates left backends: %v", items)
	}
}

// A slow /setup (a POST) times out once, without retries.
func TestMLSlowSetupIsNotRetried(t *testing.T) {
	ts := newTestServer(t, func(c *Config) {
		c.MLHealthTimeout = 2 * time.Second
		c.MLSetupTimeout = 100 * time.Millisecond
	})
	model := mlbackend.Start(t, mlbackend.Config{})
	model.SetDelay(300 * time.Millisecond)
	projectID := ts.createProject("")
	got := nonFieldError(ts, ts.do(http.MethodPost, "/api/ml/", map[string]any{"url": model.URL(), "project": projectID}))
	host, port, _ := strings.Cut(strings.TrimPrefix(model.URL(), "http://"), ":")
	if !strings.Contains(got, "Reason: HTTPConnectionPool(host='"+host+"', port="+port+"): Read timed out. (read timeout=0.1).\n") {
		t.Errorf("slow setup: %q", got)
	}
	if n := len(model.RequestsTo("/setup")); n != 1 {
		t.Errorf("setup called %d times, want 1", n)
	}
}

// ml/api.py list: ?project is required, is_interactive filters.
func TestMLList(t *testing.T) {
	ts := newTestServer(t, nil)
	model := mlbackend.Start(t, mlbackend.Config{})
	projectID, other := ts.createProject(""), ts.createProject("")
	ts.createML(map[string]any{"url": model.URL(), "project": projectID, "is_interactive": true})
	ts.createML(map[string]any{"url": model.URL(), "project": projectID})
	ts.createML(map[string]any{"url": model.URL(), "project": other})
	if env := ts.envelope(ts.do(http.MethodGet, "/api/ml/", nil), http.StatusNotFound); env["detail"] != "No Project matches the given query." {
		t.Errorf("list without project: %v", env["detail"])
	}
	var items []map[string]any
	ts.decode(ts.mustDo(http.MethodGet, "/api/ml/?project="+itoa(projectID), nil, http.StatusOK), &items)
	if len(items) != 2 || items[0]["id"].(float64) >= items[1]["id"].(float64) {
		t.Errorf("list: %v", items)
	}
	ts.decode(ts.mustDo(http.MethodGet, "/api/ml/?project="+itoa(projectID)+"&is_interactive=true", nil, http.StatusOK), &items)
	if len(items) != 1 || items[0]["is_interactive"] != true {
		t.Errorf("is_interactive filter: %v", items)
	}
}

// MLBackend.save renames the project's model_version with the title; the
// pre_delete receiver clears it; deleting the project deletes its backends.
func TestMLProjectModelVersionFollowsTheBackend(t *testing.T) {
	ts := newTestServer(t, nil)
	model := mlbackend.Start(t, mlbackend.Config{})
	projectID := ts.createProject("")
	projectPath := "/api/projects/" + itoa(projectID) + "/"
	created := ts.createML(map[string]any{"url": model.URL(), "project": projectID, "title": "detector"})
	if p := ts.object(ts.mustDo(http.MethodGet, projectPath, nil, http.StatusOK)); p["model_version"] != "detector" {
		t.Fatalf("project model_version %v", p["model_version"])
	}
	ts.mustDo(http.MethodPatch, mlPath(created["id"]), map[string]any{"url": model.URL(), "project": projectID, "title": "detector-2"}, http.StatusOK)
	if p := ts.object(ts.mustDo(http.MethodGet, projectPath, nil, http.StatusOK)); p["model_version"] != "detector-2" {
		t.Errorf("after rename: %v", p["model_version"])
	}
	ts.mustDo(http.MethodDelete, mlPath(created["id"]), nil, http.StatusNoContent)
	if p := ts.object(ts.mustDo(http.MethodGet, projectPath, nil, http.StatusOK)); p["model_version"] != "" {
		t.Errorf("after delete: %v", p["model_version"])
	}
	ts.envelope(ts.do(http.MethodGet, mlPath(created["id"]), nil), http.StatusNotFound)

	again := ts.createML(map[string]any{"url": model.URL(), "project": projectID})
	ts.mustDo(http.MethodDelete, projectPath, nil, http.StatusNoContent)
	ts.envelope(ts.do(http.MethodGet, mlPath(again["id"]), nil), http.StatusNotFound)
}

// ml/models.py create_ml_webhook: creating a backend gives the project a
// webhook to <url>/webhook with the payload for every action, once per
// URL; deleting the backend leaves it.
func TestMLCreateAddsTheProjectWebhook(t *testing.T) {
	ts := newTestServer(t, nil)
	model := mlbackend.Start(t, mlbackend.Config{})
	projectID := ts.createProject("")
	hooks := func() []map[string]any {
		var list []map[string]any
		ts.decode(ts.mustDo(http.MethodGet, "/api/webhooks/?project="+itoa(projectID), nil, http.StatusOK), &list)
		return list
	}
	first := ts.createML(map[string]any{"url": model.URL() + "/", "project": projectID})
	list := hooks()
	if len(list) != 1 || list[0]["url"] != model.URL()+"/webhook" || list[0]["send_payload"] != true || list[0]["send_for_all_actions"] != true {
		t.Fatalf("webhooks after create: %v", list)
	}
	second := ts.createML(map[string]any{"url": model.URL(), "project": projectID})
	if n := len(hooks()); n != 1 {
		t.Errorf("a second backend on the same URL: %d webhooks", n)
	}
	ts.mustDo(http.MethodDelete, mlPath(first["id"]), nil, http.StatusNoContent)
	ts.mustDo(http.MethodDelete, mlPath(second["id"]), nil, http.StatusNoContent)
	if n := len(hooks()); n != 1 {
		t.Errorf("after deleting the backends: %d webhooks, want the one left behind", n)
	}
}
