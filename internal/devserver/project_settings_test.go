package devserver

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv/mlbackend"
)

// Project settings beyond API.md 13 (API.md 19).

func (ts *testServer) project(id int64) map[string]any {
	ts.t.Helper()
	return ts.object(ts.mustDo(http.MethodGet, "/api/projects/"+itoa(id)+"/", nil, http.StatusOK))
}

func (ts *testServer) patchProject(id int64, body map[string]any) response {
	ts.t.Helper()
	return ts.do(http.MethodPatch, "/api/projects/"+itoa(id)+"/", body)
}

func weights(overall any, labels map[string]any) map[string]any {
	return map[string]any{"overall": overall, "type": "Choices", "labels": labels}
}

// projects/models.py field defaults; task_data_password is in
// ProjectSerializer's fields without write_only, so it comes back.
func TestProjectSettingsDefaultsAndRoundTrip(t *testing.T) {
	ts := newTestServer(t, nil)
	id := ts.createProject(imageConfig)
	p := ts.project(id)
	defaults := map[string]any{
		"evaluate_predictions_automatically": false, "reveal_preannotations_interactively": false,
		"show_ground_truth_first": false, "show_overlap_first": false, "overlap_cohort_percentage": 100.0,
		"task_data_login": nil, "task_data_password": nil, "model_version": "",
	}
	for k, want := range defaults {
		if got, ok := p[k]; !ok || got != want {
			t.Errorf("%s = %v, want %v", k, got, want)
		}
	}
	set := map[string]any{
		"evaluate_predictions_automatically": true, "reveal_preannotations_interactively": true,
		"show_ground_truth_first": true, "show_overlap_first": true, "overlap_cohort_percentage": 40.0,
		"task_data_login": "reader", "task_data_password": "s3cret",
	}
	ts.mustDo(http.MethodPatch, "/api/projects/"+itoa(id)+"/", set, http.StatusOK)
	p = ts.project(id)
	for k, want := range set {
		if p[k] != want {
			t.Errorf("%s = %v, want %v", k, p[k], want)
		}
	}
	if got := ts.fieldErrors(ts.patchProject(id, map[string]any{"overlap_cohort_percentage": "most"}), "overlap_cohort_percentage"); got[0] != "A valid integer is required." {
		t.Errorf("overlap: %v", got)
	}
	if got := ts.fieldErrors(ts.patchProject(id, map[string]any{"task_data_login": strings.Repeat("x", 257)}), "task_data_login"); got[0] != "Ensure this field has no more than 256 characters." {
		t.Errorf("login length: %v", got)
	}
}

// Project.save and get_updated_weights: control_weights is derived from the
// label config on create, on a config change and when empty, keeping the
// weights given for tags and labels the config still has.
func TestProjectControlWeights(t *testing.T) {
	ts := newTestServer(t, nil)
	id := ts.createProject(imageConfig)
	want := map[string]any{"choice": weights(1.0, map[string]any{"cat": 1.0, "dog": 1.0})}
	if got := ts.project(id)["control_weights"]; !reflect.DeepEqual(got, want) {
		t.Errorf("default: %v", got)
	}
	if got := ts.project(ts.createProject(""))["control_weights"]; !reflect.DeepEqual(got, map[string]any{}) {
		t.Errorf("no controls: %v", got)
	}
	// Same config: stored as sent, not completed.
	custom := map[string]any{"choice": weights(0.5, map[string]any{"cat": 0.0})}
	ts.mustDo(http.MethodPatch, "/api/projects/"+itoa(id)+"/", map[string]any{"control_weights": custom}, http.StatusOK)
	if got := ts.project(id)["control_weights"]; !reflect.DeepEqual(got, custom) {
		t.Errorf("custom weights: %v", got)
	}
	// New config: recomputed, keeping what still applies.
	ts.mustDo(http.MethodPatch, "/api/projects/"+itoa(id)+"/", map[string]any{"label_config": withBird}, http.StatusOK)
	want = map[string]any{"choice": weights(0.5, map[string]any{"cat": 0.0, "dog": 1.0, "bird": 1.0})}
	if got := ts.project(id)["control_weights"]; !reflect.DeepEqual(got, want) {
		t.Errorf("after a config change:\n got %v\nwant %v", got, want)
	}
	ts.mustDo(http.MethodPatch, "/api/projects/"+itoa(id)+"/", map[string]any{"control_weights": map[string]any{}}, http.StatusOK)
	want = map[string]any{"choice": weights(1.0, map[string]any{"cat": 1.0, "dog": 1.0, "bird": 1.0})}
	if got := ts.project(id)["control_weights"]; !reflect.DeepEqual(got, want) {
		t.Errorf("emptied: %v", got)
	}
	env := ts.envelope(ts.patchProject(id, map[string]any{"control_weights": nil}), http.StatusInternalServerError)
	if env["detail"] != "'NoneType' object has no attribute 'get'" {
		t.Errorf("null weights: %v", env["detail"])
	}
	created := ts.object(ts.mustDo(http.MethodPost, "/api/projects/", map[string]any{"label_config": imageConfig,
		"control_weights": map[string]any{"choice": map[string]any{"overall": 0.2}, "gone": weights(0.1, nil)}}, http.StatusCreated))
	want = map[string]any{"choice": weights(0.2, map[string]any{"cat": 1.0, "dog": 1.0})}
	if !reflect.DeepEqual(created["control_weights"], want) {
		t.Errorf("create with weights: %v", created["control_weights"])
	}
}

// ProjectSerializer.validate_model_version and update: a new version must
// be a backend's title or a prediction's version; hiding predictions
// empties it.
func TestProjectModelVersion(t *testing.T) {
	ts := newTestServer(t, nil)
	model := mlbackend.Start(t, mlbackend.Config{})
	id := ts.createProject(imageConfig)
	ts.mustDo(http.MethodPatch, "/api/projects/"+itoa(id)+"/", map[string]any{"show_collab_predictions": false}, http.StatusOK)
	ts.createML(map[string]any{"url": model.URL(), "project": id, "title": "detector"})
	if got := ts.fieldErrors(ts.patchProject(id, map[string]any{"model_version": "nope"}), "model_version"); got[0] != msgUnknownModelVersion {
		t.Errorf("unknown version: %v", got)
	}
	ts.mustDo(http.MethodPatch, "/api/projects/"+itoa(id)+"/", map[string]any{"model_version": "detector", "show_collab_predictions": true}, http.StatusOK)
	ts.srv.mu.Lock()
	ts.srv.st.addTask(id, importedTask{data: map[string]any{"image_url": "x"}, predictions: []any{map[string]any{"model_version": "static-1", "result": []any{}}}}, "", time.Now())
	ts.srv.mu.Unlock()
	ts.mustDo(http.MethodPatch, "/api/projects/"+itoa(id)+"/", map[string]any{"model_version": "static-1"}, http.StatusOK)
	if got := ts.project(id)["model_version"]; got != "static-1" {
		t.Errorf("model_version %v", got)
	}
	ts.mustDo(http.MethodPatch, "/api/projects/"+itoa(id)+"/", map[string]any{"show_collab_predictions": false}, http.StatusOK)
	if got := ts.project(id)["model_version"]; got != "" {
		t.Errorf("after hiding predictions: %v", got)
	}
}

// A PATCH of label_config runs validate_config without strict: dropping a
// label annotations use is allowed, dropping its control is not.
func TestProjectPatchLabelConfigAgainstAnnotations(t *testing.T) {
	ts := newTestServer(t, nil)
	id := ts.createProject(imageConfig)
	ts.annotate(id, choiceResult("cat"))
	got := ts.fieldErrors(ts.patchProject(id, map[string]any{"label_config": renamedCtrl}), "label_config")
	if got[0] != "Created annotations are incompatible with provided labeling schema, we found:\n1 with from_name=choice, to_name=image, type=choices" {
		t.Errorf("renamed control: %v", got)
	}
	if p := ts.project(id); p["label_config"] != imageConfig {
		t.Errorf("refused config stored: %v", p["label_config"])
	}
	ts.mustDo(http.MethodPatch, "/api/projects/"+itoa(id)+"/", map[string]any{"label_config": withoutCat}, http.StatusOK)
}
