package devserver

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// Webhooks (API.md 18). Each test names the Label Studio file whose
// behaviour it pins.

func (ts *testServer) createWebhook(body map[string]any) map[string]any {
	ts.t.Helper()
	return ts.object(ts.mustDo(http.MethodPost, "/api/webhooks/", body, http.StatusCreated))
}

func webhookPath(id any) string { return fmt.Sprintf("/api/webhooks/%v/", id) }

// webhooks/serializers.py (WebhookSerializer fields, model defaults in
// webhooks/models.py) and webhooks/urls.py (trailing slashes).
func TestWebhookCRUDFollowsSerializersPy(t *testing.T) {
	ts := newTestServer(t, nil)
	project := ts.createProject("")
	created := ts.createWebhook(map[string]any{"project": project, "url": "https://hooks.example.com/ls"})
	want := map[string]any{"organization": float64(1), "project": float64(project), "url": "https://hooks.example.com/ls",
		"send_payload": true, "send_for_all_actions": true, "is_active": true, "consecutive_failures": float64(0)}
	for k, v := range want {
		if created[k] != v {
			t.Errorf("create: %s = %v, want %v", k, created[k], v)
		}
	}
	if h, _ := created["headers"].(map[string]any); h == nil || len(h) != 0 {
		t.Errorf("create: headers = %v, want {}", created["headers"])
	}
	if a, _ := created["actions"].([]any); a == nil || len(a) != 0 {
		t.Errorf("create: actions = %v, want []", created["actions"])
	}
	id := created["id"]
	got := ts.object(ts.mustDo(http.MethodGet, webhookPath(id), nil, http.StatusOK))
	if got["url"] != "https://hooks.example.com/ls" {
		t.Errorf("get: %v", got)
	}
	// The no-slash form is re-dispatched with the slash (API.md 1).
	ts.mustDo(http.MethodGet, fmt.Sprintf("/api/webhooks/%v", id), nil, http.StatusOK)

	patched := ts.object(ts.mustDo(http.MethodPatch, webhookPath(id), map[string]any{
		"send_payload": false, "headers": map[string]any{"Authorization": "Bearer x"}, "project": 999,
		"actions": []any{"TASKS_CREATED", "TASKS_CREATED", "ANNOTATION_CREATED"}, "send_for_all_actions": false,
	}, http.StatusOK))
	if patched["send_payload"] != false || patched["project"] != float64(project) || patched["send_for_all_actions"] != false {
		t.Errorf("patch (project is read-only on update): %v", patched)
	}
	if h, _ := patched["headers"].(map[string]any); h["Authorization"] != "Bearer x" {
		t.Errorf("patch headers: %v", patched["headers"])
	}
	if got := actionsOf(patched); !slices.Equal(got, []string{"ANNOTATION_CREATED", "TASKS_CREATED"}) {
		t.Errorf("patch actions (a set): %v", got)
	}

	// PUT is a full update: url is required.
	if got := ts.fieldErrors(ts.do(http.MethodPut, webhookPath(id), map[string]any{"is_active": false}), "url"); got[0] != "This field is required." {
		t.Errorf("PUT without url: %v", got)
	}
	ts.mustDo(http.MethodDelete, webhookPath(id), nil, http.StatusNoContent)
	env := ts.envelope(ts.do(http.MethodGet, webhookPath(id), nil), http.StatusNotFound)
	if env["detail"] != "No Webhook matches the given query." {
		t.Errorf("404 detail: %v", env["detail"])
	}
	ts.envelope(ts.do(http.MethodPatch, webhookPath(id), map[string]any{"url": "bad"}), http.StatusNotFound)
}

func actionsOf(wh map[string]any) []string {
	var out []string
	list, _ := wh["actions"].([]any)
	for _, a := range list {
		out = append(out, fmt.Sprint(a))
	}
	slices.Sort(out)
	return out
}

// webhooks/serializers.py validate() pops _actions with a default of [] and
// puts it back, and update() calls set_actions with it: a PATCH that does
// not name actions (DRF skips absent fields on partial updates) empties the
// stored list.
func TestWebhookPatchWithoutActionsClearsThemPerSerializersPyValidate(t *testing.T) {
	ts := newTestServer(t, nil)
	project := ts.createProject("")
	created := ts.createWebhook(map[string]any{"project": project, "url": "https://hooks.example.com/a",
		"send_for_all_actions": false, "actions": []any{"TASKS_CREATED", "PROJECT_UPDATED"}})
	if got := actionsOf(created); !slices.Equal(got, []string{"PROJECT_UPDATED", "TASKS_CREATED"}) {
		t.Fatalf("create actions: %v", got)
	}
	patched := ts.object(ts.mustDo(http.MethodPatch, webhookPath(created["id"]), map[string]any{"is_active": true}, http.StatusOK))
	if got := actionsOf(patched); len(got) != 0 {
		t.Errorf("PATCH without actions kept %v; Label Studio stores []", got)
	}
	if got := actionsOf(ts.object(ts.mustDo(http.MethodGet, webhookPath(created["id"]), nil, http.StatusOK))); len(got) != 0 {
		t.Errorf("GET after PATCH: %v", got)
	}
}

// webhooks/models.py validate_actions refuses organisation-only actions when
// the instance built in serializers.py validate() has a project. On create
// the body's project is there; on PATCH and PUT WebhookSerializerForUpdate
// makes project read-only, the instance has none, and the action is stored.
func TestWebhookOrganizationOnlyActionsPerModelsPyValidateActions(t *testing.T) {
	ts := newTestServer(t, nil)
	project := ts.createProject("")
	r := ts.do(http.MethodPost, "/api/webhooks/", map[string]any{"project": project, "url": "https://hooks.example.com/a",
		"actions": []any{"PROJECT_CREATED"}})
	if got := ts.fieldErrors(r, "non_field_errors"); got[0] != "Project webhook can't contain organization-only action." {
		t.Errorf("create with PROJECT_CREATED: %v", got)
	}
	created := ts.createWebhook(map[string]any{"project": project, "url": "https://hooks.example.com/a"})
	patched := ts.object(ts.mustDo(http.MethodPatch, webhookPath(created["id"]), map[string]any{"actions": []any{"PROJECT_DELETED"}}, http.StatusOK))
	if got := actionsOf(patched); !slices.Equal(got, []string{"PROJECT_DELETED"}) {
		t.Errorf("PATCH with PROJECT_DELETED: %v (the update serializer does not check)", got)
	}
}

// webhooks/api.py perform_create: a missing, null or foreign project is a
// 404 "Project not found." after validation; an unknown id is the
// PrimaryKeyRelatedField's 400.
func TestWebhookCreateProjectPerApiPyPerformCreate(t *testing.T) {
	ts := newTestServer(t, nil)
	for _, body := range []map[string]any{{"url": "https://hooks.example.com/a"}, {"url": "https://hooks.example.com/a", "project": nil}} {
		env := ts.envelope(ts.do(http.MethodPost, "/api/webhooks/", body), http.StatusNotFound)
		if env["detail"] != "Project not found." {
			t.Errorf("%v: %v", body, env["detail"])
		}
	}
	if got := ts.fieldErrors(ts.do(http.MethodPost, "/api/webhooks/", map[string]any{"url": "https://hooks.example.com/a", "project": 4242}), "project"); got[0] != `Invalid pk "4242" - object does not exist.` {
		t.Errorf("unknown project: %v", got)
	}
	if got := ts.fieldErrors(ts.do(http.MethodPost, "/api/webhooks/", map[string]any{"url": "https://hooks.example.com/a", "project": "abc"}), "project"); got[0] != "Incorrect type. Expected pk value, received str." {
		t.Errorf("project abc: %v", got)
	}
	// Field errors come before perform_create's 404.
	ts.fieldErrors(ts.do(http.MethodPost, "/api/webhooks/", map[string]any{"url": "nope"}), "url")
}

// webhooks/models.py: url is a URLField (Django's URLValidator, max 2048),
// headers a JSONField checked against HEADERS_SCHEMA by core/validators.py
// JSONSchemaValidator ("%(value)s failed JSON schema check"), actions a
// ListField of ChoiceFields over WebhookAction.ACTIONS.
func TestWebhookValidationMessagesPerModelsPy(t *testing.T) {
	ts := newTestServer(t, nil)
	project := ts.createProject("")
	elevenHeaders := map[string]any{}
	for i := range 11 {
		elevenHeaders[fmt.Sprintf("X-H%d", i)] = "v"
	}
	cases := []struct {
		name  string
		body  map[string]any
		field string
		want  []string
	}{
		{"single-label host", map[string]any{"url": "http://ml-backend:9090/webhook"}, "url", []string{"Enter a valid URL."}},
		{"no scheme", map[string]any{"url": "hooks.example.com/x"}, "url", []string{"Enter a valid URL."}},
		{"blank", map[string]any{"url": "  "}, "url", []string{"This field may not be blank."}},
		{"null", map[string]any{"url": nil}, "url", []string{"This field may not be null."}},
		{"not a string", map[string]any{"url": []any{"x"}}, "url", []string{"Not a valid string."}},
		{"too long", map[string]any{"url": "https://example.com/" + strings.Repeat("a", 2048)}, "url",
			[]string{"Ensure this field has no more than 2048 characters.", "Enter a valid URL."}},
		{"missing", map[string]any{}, "url", []string{"This field is required."}},
		{"header key", map[string]any{"url": "https://example.com", "headers": map[string]any{"Bad Key": "v"}}, "headers",
			[]string{"{'Bad Key': 'v'} failed JSON schema check"}},
		{"header value", map[string]any{"url": "https://example.com", "headers": map[string]any{"X-Retry": 3}}, "headers",
			[]string{"{'X-Retry': 3} failed JSON schema check"}},
		{"eleven headers", map[string]any{"url": "https://example.com", "headers": elevenHeaders}, "headers", nil},
		{"headers list", map[string]any{"url": "https://example.com", "headers": []any{"a"}}, "headers",
			[]string{"['a'] failed JSON schema check"}},
		{"headers null", map[string]any{"url": "https://example.com", "headers": nil}, "headers", []string{"This field may not be null."}},
		{"bool", map[string]any{"url": "https://example.com", "is_active": "maybe"}, "is_active", []string{"Must be a valid boolean."}},
		{"actions string", map[string]any{"url": "https://example.com", "actions": "TASKS_CREATED"}, "actions",
			[]string{`Expected a list of items but got type "str".`}},
	}
	for _, c := range cases {
		c.body["project"] = project
		got := ts.fieldErrors(ts.do(http.MethodPost, "/api/webhooks/", c.body), c.field)
		if c.want == nil {
			if s, _ := got[0].(string); !strings.HasSuffix(s, " failed JSON schema check") {
				t.Errorf("%s: %v", c.name, got)
			}
			continue
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	// Per-item choice errors are keyed by index.
	r := ts.do(http.MethodPost, "/api/webhooks/", map[string]any{"project": project, "url": "https://example.com", "actions": []any{"TASKS_CREATED", "TASK_CREATED"}})
	env := ts.envelope(r, http.StatusBadRequest)
	errs, _ := env["validation_errors"].(map[string]any)
	if fmt.Sprint(errs["actions"]) != `map[1:["TASK_CREATED" is not a valid choice.]]` {
		t.Errorf("bad action: %s", r.body)
	}
	// Ten headers of letters, digits, - and _ are fine.
	ten := map[string]any{}
	for i := range 10 {
		ten[fmt.Sprintf("X-h_%d", i)] = "v"
	}
	ts.createWebhook(map[string]any{"project": project, "url": "http://localhost:9090/hook", "headers": ten})
}

// webhooks/api.py WebhookFilterSet: ?project= is a ModelChoiceFilter over
// every project whose null choice is "null"; an unknown project is a 400.
// The list is not paginated.
func TestWebhookListFilterPerApiPyWebhookFilterSet(t *testing.T) {
	ts := newTestServer(t, nil)
	p1, p2 := ts.createProject(""), ts.createProject("")
	ts.createWebhook(map[string]any{"project": p1, "url": "https://a.example.com"})
	ts.createWebhook(map[string]any{"project": p2, "url": "https://b.example.com"})
	var all, one, none []map[string]any
	ts.decode(ts.mustDo(http.MethodGet, "/api/webhooks/", nil, http.StatusOK), &all)
	ts.decode(ts.mustDo(http.MethodGet, "/api/webhooks/?project="+itoa(p2), nil, http.StatusOK), &one)
	ts.decode(ts.mustDo(http.MethodGet, "/api/webhooks/?project=null", nil, http.StatusOK), &none)
	if len(all) != 2 || len(one) != 1 || one[0]["url"] != "https://b.example.com" || len(none) != 0 {
		t.Errorf("all %v, project %d %v, null %v", all, p2, one, none)
	}
	for _, q := range []string{"4242", "abc"} {
		if got := ts.fieldErrors(ts.do(http.MethodGet, "/api/webhooks/?project="+q, nil), "project"); got[0] != msgInvalidFilterChoice {
			t.Errorf("?project=%s: %v", q, got)
		}
	}
}

// webhooks/models.py: Webhook.project has on_delete=CASCADE.
func TestProjectDeleteCascadesWebhooksPerModelsPy(t *testing.T) {
	ts := newTestServer(t, nil)
	p1, p2 := ts.createProject(""), ts.createProject("")
	gone := ts.createWebhook(map[string]any{"project": p1, "url": "https://a.example.com"})
	kept := ts.createWebhook(map[string]any{"project": p2, "url": "https://b.example.com"})
	ts.mustDo(http.MethodDelete, "/api/projects/"+itoa(p1)+"/", nil, http.StatusNoContent)
	ts.envelope(ts.do(http.MethodGet, webhookPath(gone["id"]), nil), http.StatusNotFound)
	ts.mustDo(http.MethodGet, webhookPath(kept["id"]), nil, http.StatusOK)
}

// webhooks/api.py WebhookInfoAPI: AllowAny; ?organization-only=true keeps
// the organisation-only actions, any other value the others.
func TestWebhookInfoPerApiPyWebhookInfoAPI(t *testing.T) {
	ts := newTestServer(t, nil)
	noAuth := map[string]string{"Authorization": ""}
	var all, orgOnly, project map[string]map[string]any
	ts.decode(ts.request(http.MethodGet, "/api/webhooks/info/", nil, noAuth), &all)
	ts.decode(ts.request(http.MethodGet, "/api/webhooks/info/?organization-only=true", nil, noAuth), &orgOnly)
	ts.decode(ts.request(http.MethodGet, "/api/webhooks/info/?organization-only=no", nil, noAuth), &project)
	if len(all) != 12 || all["TASKS_CREATED"]["name"] != "Task created" || all["TASKS_CREATED"]["key"] != "tasks" {
		t.Errorf("all: %v", all)
	}
	if len(orgOnly) != 2 || orgOnly["PROJECT_CREATED"] == nil || orgOnly["PROJECT_DELETED"] == nil {
		t.Errorf("organization-only: %v", orgOnly)
	}
	if len(project) != 10 || project["PROJECT_CREATED"] != nil {
		t.Errorf("not organization-only: %v", project)
	}
}

// ml/models.py create_ml_webhook: one webhook per project and URL, and a URL
// the serializer refuses is skipped.
func TestCreateMLWebhookPerMLModelsPy(t *testing.T) {
	ts := newTestServer(t, nil)
	project := ts.createProject("")
	ts.srv.mu.Lock()
	first := ts.srv.createMLWebhookLocked(project, "http://ml.example.com:9090/")
	again := ts.srv.createMLWebhookLocked(project, "http://ml.example.com:9090")
	shortHost := ts.srv.createMLWebhookLocked(project, "http://ml-backend:9090")
	ts.srv.mu.Unlock()
	if first == nil || first.URL != "http://ml.example.com:9090/webhook" || !first.SendPayload || !first.SendForAllActions {
		t.Fatalf("first: %+v", first)
	}
	if again != nil || shortHost != nil {
		t.Errorf("duplicate %+v, single-label host %+v: want none", again, shortHost)
	}
	var list []map[string]any
	ts.decode(ts.mustDo(http.MethodGet, "/api/webhooks/?project="+itoa(project), nil, http.StatusOK), &list)
	if len(list) != 1 {
		t.Errorf("webhooks: %v", list)
	}
}

// webhooks/serializers.py update(): consecutive_failures goes back to 0 when
// the url or headers change or the webhook is switched back on, not for
// other changes; a PUT without actions stores [] (the field's default).
func TestWebhookUpdateResetsFailuresPerSerializersPyUpdate(t *testing.T) {
	ts := newTestServer(t, nil)
	project := ts.createProject("")
	created := ts.createWebhook(map[string]any{"project": project, "url": "https://a.example.com", "actions": []any{"TASKS_CREATED"}})
	id := int64(created["id"].(float64))
	strike := func(active bool) {
		ts.srv.mu.Lock()
		ts.srv.st.Webhooks[id].ConsecutiveFailures = 2
		ts.srv.st.Webhooks[id].IsActive = active
		ts.srv.mu.Unlock()
	}
	cases := []struct {
		name   string
		active bool
		body   map[string]any
		want   float64
	}{
		{"send_payload", true, map[string]any{"send_payload": false}, 2},
		{"same url", true, map[string]any{"url": "https://a.example.com"}, 2},
		{"url", true, map[string]any{"url": "https://b.example.com"}, 0},
		{"headers", true, map[string]any{"headers": map[string]any{"X-A": "1"}}, 0},
		{"is_active on an active webhook", true, map[string]any{"is_active": true}, 2},
		{"re-activation", false, map[string]any{"is_active": true}, 0},
	}
	for _, c := range cases {
		strike(c.active)
		got := ts.object(ts.mustDo(http.MethodPatch, webhookPath(id), c.body, http.StatusOK))
		if got["consecutive_failures"] != c.want {
			t.Errorf("%s: consecutive_failures %v, want %v", c.name, got["consecutive_failures"], c.want)
		}
	}
	ts.mustDo(http.MethodPatch, webhookPath(id), map[string]any{"actions": []any{"TASKS_CREATED"}}, http.StatusOK)
	put := ts.object(ts.mustDo(http.MethodPut, webhookPath(id), map[string]any{"url": "https://c.example.com"}, http.StatusOK))
	if got := actionsOf(put); len(got) != 0 {
		t.Errorf("PUT without actions kept %v", got)
	}
}
