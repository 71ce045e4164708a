package devserver

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// Label config validation (API.md 17).

// annotate gives the project a task with one annotation per result.
func (ts *testServer) annotate(projectID int64, results ...map[string]any) {
	ts.t.Helper()
	ts.srv.mu.Lock()
	taskID := ts.srv.st.addTask(projectID, importedTask{data: map[string]any{"image_url": "s3://b/cat.jpg"}}, "", time.Now())
	ts.srv.mu.Unlock()
	for _, result := range results {
		ts.mustDo(http.MethodPost, "/_dev/tasks/"+itoa(taskID)+"/annotations", map[string]any{"result": []any{result}}, http.StatusCreated)
	}
}

func choiceResult(label string) map[string]any {
	return map[string]any{"from_name": "choice", "to_name": "image", "type": "choices", "value": map[string]any{"choices": []any{label}}}
}

const (
	withBird    = `<View><Image name="image" value="$image_url"/><Choices name="choice" toName="image"><Choice value="cat"/><Choice value="dog"/><Choice value="bird"/></Choices></View>`
	withoutCat  = `<View><Image name="image" value="$image_url"/><Choices name="choice" toName="image"><Choice value="dog"/></Choices></View>`
	renamedCtrl = `<View><Image name="image" value="$image_url"/><Choices name="kind" toName="image"><Choice value="cat"/><Choice value="dog"/></Choices></View>`
	renamedObj  = `<View><Image name="photo" value="$image_url"/><Choices name="choice" toName="photo"><Choice value="cat"/><Choice value="dog"/></Choices></View>`
)

func (ts *testServer) validateProject(projectID int64, config string) response {
	ts.t.Helper()
	return ts.do(http.MethodPost, "/api/projects/"+itoa(projectID)+"/validate/", map[string]any{"label_config": config})
}

// projects/api.py ProjectLabelConfigValidateAPI with models.py
// validate_config(strict=True): a config must keep the controls, objects
// and labels the annotations use, worded as Label Studio words it.
func TestProjectValidateRefusesWhatAnnotationsUse(t *testing.T) {
	ts := newTestServer(t, nil)
	projectID := ts.createProject(imageConfig)
	ts.annotate(projectID, choiceResult("cat"), choiceResult("cat"), choiceResult("dog"))

	for _, config := range []string{imageConfig, withBird} {
		got := ts.object(ts.mustDo(http.MethodPost, "/api/projects/"+itoa(projectID)+"/validate/", map[string]any{"label_config": config}, http.StatusOK))
		// config_essential_data_has_changed returns None when nothing
		// essential changed; adding a label is not essential.
		if v, ok := got["config_essential_data_has_changed"]; !ok || v != nil {
			t.Errorf("%s: %v", config, got)
		}
	}
	cases := []struct{ config, want string }{
		{withoutCat, "These labels still exist in annotations or drafts:\ncat (2 annotations)\nPlease add labels to tag with name=\"choice\"."},
		{renamedCtrl, "Created annotations are incompatible with provided labeling schema, we found:\n3 with from_name=choice, to_name=image, type=choices"},
		{renamedObj, "Created annotations are incompatible with provided labeling schema, we found:\n3 with from_name=choice, to_name=image, type=choices"},
		{`<View><Image name="a"/><Text name="a"/></View>`, "Label config contains non-unique names"},
	}
	for _, c := range cases {
		if got := nonFieldError(ts, ts.validateProject(projectID, c.config)); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.config, got, c.want)
		}
	}
	if got := nonFieldError(ts, ts.validateProject(projectID, "")); got != "Label config is not set or is empty" {
		t.Errorf("empty: %q", got)
	}
	// config_essential_data_has_changed parses the config before any
	// validation: a config that is not XML is an uncaught ParseError.
	if env := ts.envelope(ts.validateProject(projectID, "<View><Image"), http.StatusInternalServerError); env["detail"] == "" {
		t.Errorf("not XML: %v", env)
	}
	if env := ts.envelope(ts.validateProject(999, imageConfig), http.StatusNotFound); env["detail"] != "No Project matches the given query." {
		t.Errorf("unknown project: %v", env["detail"])
	}
}

// Without annotations anything valid passes; a dropped label is an
// essential change.
func TestProjectValidateWithoutAnnotations(t *testing.T) {
	ts := newTestServer(t, nil)
	projectID := ts.createProject(imageConfig)
	got := ts.object(ts.mustDo(http.MethodPost, "/api/projects/"+itoa(projectID)+"/validate/", map[string]any{"label_config": withoutCat}, http.StatusOK))
	if got["config_essential_data_has_changed"] != true {
		t.Errorf("dropping a label: %v", got)
	}
	ts.annotate(projectID) // a task, no annotations
	ts.mustDo(http.MethodPost, "/api/projects/"+itoa(projectID)+"/validate/", map[string]any{"label_config": renamedCtrl}, http.StatusOK)
}

// projects/api.py LabelConfigValidateAPI: no authentication, 204, and
// DRF's own error body (rest_framework's exception_handler, no envelope).
func TestLabelConfigValidateForANewProject(t *testing.T) {
	ts := newTestServer(t, nil)
	none := map[string]string{"Authorization": "", "Content-Type": "application/json"}
	r := ts.request(http.MethodPost, "/api/projects/validate/", strings.NewReader(`{"label_config": `+quoteJSON(imageConfig)+`}`), none)
	if r.status != http.StatusNoContent {
		t.Errorf("valid config: %d %s", r.status, r.body)
	}
	cases := []struct{ body, want string }{
		{`{"label_config": "<View><Image name=\"a\"/><Text name=\"a\"/></View>"}`, "Label config contains non-unique names"},
		{`{"label_config": "  "}`, "This field may not be blank."},
		{`{}`, "This field is required."},
	}
	for _, c := range cases {
		r := ts.request(http.MethodPost, "/api/projects/validate", strings.NewReader(c.body), none)
		got := ts.object(r)
		list, _ := got["label_config"].([]any)
		if r.status != http.StatusBadRequest || len(got) != 1 || len(list) != 1 || list[0] != c.want {
			t.Errorf("%s: %d %s, want %q", c.body, r.status, r.body, c.want)
		}
	}
}

func quoteJSON(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}
