package devserver

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver/connect"
)

// Behaviour 6: sync (API.md 6-8).

var pythonTimeFormat = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?\+00:00$`)

// tasksOf returns the tasks of a project through the task API.
func (ts *testServer) tasksOf(project int64) []map[string]any {
	ts.t.Helper()
	var page struct {
		Tasks []map[string]any
		Total int
	}
	ts.decode(ts.mustDo(http.MethodGet, "/api/tasks/?project="+itoa(project), nil, http.StatusOK), &page)
	if page.Total != len(page.Tasks) {
		ts.t.Fatalf("total %d but %d tasks on the first page", page.Total, len(page.Tasks))
	}
	return page.Tasks
}

func (ts *testServer) sync(kind, dir string, id int64) map[string]any {
	ts.t.Helper()
	return ts.object(ts.mustDo(http.MethodPost, storagePath(kind, dir, id, "sync"), nil, http.StatusOK))
}

func TestInlineImportSyncWithBlobURLs(t *testing.T) {
	ts := newTestServer(t, nil)
	project := ts.createProject(imageConfig)
	ts.backend.put("images/a.jpg", "jpeg")
	ts.backend.put("images/b.png", "png")
	ts.backend.put("images/sub/", "")
	created := ts.createStorage("s3", dirImport, map[string]any{"project": project, "bucket": "pics", "use_blob_urls": true, "regex_filter": `.*\.jpg`})
	id := int64(created["id"].(float64))

	done := ts.sync("s3", dirImport, id)
	meta := done["meta"].(map[string]any)
	if done["status"] != statusCompleted || done["last_sync_count"] != float64(1) || done["last_sync_job"] != nil || done["last_sync"] == nil {
		t.Fatalf("inline sync response: %v", done)
	}
	for _, key := range []string{"time_queued", "time_in_progress", "time_last_ping", "time_completed"} {
		if s, _ := meta[key].(string); !pythonTimeFormat.MatchString(s) {
			t.Errorf("meta.%s = %v, want Python str(datetime)", key, meta[key])
		}
	}
	if meta["attempts"] != float64(1) || meta["tasks_existed"] != float64(0) {
		t.Errorf("meta %v", meta)
	}
	if _, ok := meta["duration"].(float64); !ok {
		t.Errorf("meta.duration %v", meta["duration"])
	}

	tasks := ts.tasksOf(project)
	if len(tasks) != 1 {
		t.Fatalf("%d tasks, want 1", len(tasks))
	}
	data := tasks[0]["data"].(map[string]any)
	if data["image_url"] != "s3://pics/images/a.jpg" {
		t.Errorf("task data %v: the blob URL belongs under the object tag's variable", data)
	}
	one := ts.object(ts.mustDo(http.MethodGet, "/api/tasks/"+itoa(int64(tasks[0]["id"].(float64)))+"/", nil, http.StatusOK))
	if one["data"].(map[string]any)["image_url"] != "s3://pics/images/a.jpg" {
		t.Errorf("task detail %v", one["data"])
	}

	// Re-sync is incremental.
	ts.backend.put("images/c.jpg", "jpeg")
	again := ts.sync("s3", dirImport, id)
	meta = again["meta"].(map[string]any)
	if again["last_sync_count"] != float64(1) || meta["tasks_existed"] != float64(1) || meta["attempts"] != float64(2) {
		t.Errorf("re-sync: count %v meta %v", again["last_sync_count"], meta)
	}
	if n := len(ts.tasksOf(project)); n != 2 {
		t.Errorf("%d tasks after re-sync, want 2", n)
	}
}

func TestRegexFilterSemantics(t *testing.T) {
	ts := newTestServer(t, nil)
	project := ts.createProject("")
	for _, key := range []string{"img1.json", "data/img2.json", "x.jpg.json"} {
		ts.backend.put(key, `{"text":"`+key+`"}`)
	}
	count := func(kind, pattern string) any {
		id := int64(ts.createStorage(kind, dirImport, map[string]any{"project": project, "regex_filter": pattern, "bucket": "b", "path": "/d"})["id"].(float64))
		return ts.sync(kind, dirImport, id)["last_sync_count"]
	}
	// re.match: anchored at the start, not a full match.
	if got := count("s3", "img"); got != float64(1) {
		t.Errorf(`s3 "img" matched %v keys, want 1 (img1.json only)`, got)
	}
	if got := count("gcs", "jpg"); got != float64(0) {
		t.Errorf(`bare "jpg" matched %v keys, want 0`, got)
	}
	// Local files match the basename, Redis ignores the filter.
	if got := count("localfiles", "img"); got != float64(2) {
		t.Errorf(`localfiles "img" matched %v, want 2`, got)
	}
	if got := count("redis", "nothing-matches"); got != float64(3) {
		t.Errorf("redis applied regex_filter: %v", got)
	}
	id := int64(ts.createStorage("s3", dirImport, map[string]any{"project": project, "regex_filter": `(?<=a)b`})["id"].(float64))
	failed := ts.sync("s3", dirImport, id)
	if failed["status"] != statusFailed || !strings.Contains(failed["traceback"].(string), "re.error") {
		t.Errorf("uncompilable regex: %v %v", failed["status"], failed["traceback"])
	}
}

func TestImportTaskFiles(t *testing.T) {
	ts := newTestServer(t, nil)
	project := ts.createProject("")
	ts.backend.put("1-single.json", `{"data":{"text":"one"},"annotations":[{"id":77,"result":[{"value":{"choices":["a"]}}]}]}`)
	ts.backend.put("2-array.json", `[{"text":"two"},{"data":{"text":"three"}}]`)
	ts.backend.put("3-lines.jsonl", "{\"text\":\"four\"}\n\n{\"text\":\"five\"}\n")
	id := int64(ts.createStorage("s3", dirImport, map[string]any{"project": project})["id"].(float64))
	done := ts.sync("s3", dirImport, id)
	if done["status"] != statusCompleted || done["last_sync_count"] != float64(5) {
		t.Fatalf("sync: %v %v %v", done["status"], done["last_sync_count"], done["traceback"])
	}
	tasks := ts.tasksOf(project)
	texts := []string{}
	for _, task := range tasks {
		texts = append(texts, task["data"].(map[string]any)["text"].(string))
	}
	if strings.Join(texts, ",") != "one,two,three,four,five" {
		t.Errorf("task texts %v", texts)
	}
	annotations := tasks[0]["annotations"].([]any)
	if len(annotations) != 1 || annotations[0].(map[string]any)["import_id"] != float64(77) {
		t.Errorf("imported annotations %v", annotations)
	}

	// A task with bad annotations is skipped and reported.
	ts.backend.put("4-bad.json", `[{"data":{"text":"ok"}},{"data":{"text":"bad"},"annotations":[{"result":"nope"}]},{"annotations":[]}]`)
	partial := ts.sync("s3", dirImport, id)
	meta := partial["meta"].(map[string]any)
	if partial["status"] != statusCompletedWithErrors || partial["last_sync_count"] != float64(1) || meta["tasks_failed_validation"] != float64(2) {
		t.Errorf("bad annotations: %v count %v meta %v", partial["status"], partial["last_sync_count"], meta)
	}
	if lines := strings.Split(partial["traceback"].(string), "\n"); len(lines) != 2 {
		t.Errorf("traceback %q, want one line per failed task", partial["traceback"])
	}

	ts.backend.put("5-binary.json", "\x89PNG")
	failed := ts.sync("s3", dirImport, id)
	want := `Can't import JSON-formatted tasks from 5-binary.json. If you're trying to import binary objects, perhaps you forgot to enable "Tasks" import method?`
	if failed["status"] != statusFailed || failed["traceback"] != want || failed["last_sync"] != nil {
		t.Errorf("invalid JSON: %v %q", failed["status"], failed["traceback"])
	}
	if _, ok := failed["meta"].(map[string]any)["time_failure"]; !ok {
		t.Errorf("failed without meta.time_failure")
	}
}

func TestSyncPreconditions(t *testing.T) {
	ts := newTestServer(t, nil)
	project := ts.createProject("")
	id := int64(ts.createStorage("s3", dirImport, map[string]any{"project": project, "synchronizable": false})["id"].(float64))
	r := ts.do(http.MethodPost, storagePath("s3", dirImport, id, "sync"), nil)
	if r.status != http.StatusBadRequest || string(r.body) != `{"message":"Storage `+itoa(id)+` is not synchronizable"}` {
		t.Errorf("non-synchronizable: %d %s", r.status, r.body)
	}
	ts.envelope(ts.do(http.MethodPost, storagePath("s3", dirImport, 999, "sync"), nil), http.StatusNotFound)

	s3 := int64(ts.createStorage("s3", dirImport, map[string]any{"project": project})["id"].(float64))
	local := int64(ts.createStorage("localfiles", dirImport, map[string]any{"project": project, "path": "/d"})["id"].(float64))
	ts.backend.setValidateErr(errors.New("An error occurred (403) when calling the HeadBucket operation: Forbidden"))
	if env := ts.envelope(ts.do(http.MethodPost, storagePath("s3", dirImport, s3, "sync"), nil), http.StatusInternalServerError); !strings.Contains(env["detail"].(string), "HeadBucket") {
		t.Errorf("s3 sync validation: %v", env["detail"])
	}
	ts.backend.setValidateErr(&connect.Error{Message: "Path /d does not exist"})
	if got := ts.fieldErrors(ts.do(http.MethodPost, storagePath("localfiles", dirImport, local, "sync"), nil), "non_field_errors"); got[0] != "Path /d does not exist" {
		t.Errorf("local files sync validation: %v", got)
	}
}

func TestQueuedSync(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.SyncMode = SyncQueued; c.SyncWorkers = 2 })
	project := ts.createProject("")
	ts.backend.put("a.json", `{"text":"a"}`)
	gate := make(chan struct{})
	ts.backend.mu.Lock()
	ts.backend.listGate = gate
	ts.backend.mu.Unlock()
	id := int64(ts.createStorage("s3", dirImport, map[string]any{"project": project})["id"].(float64))

	queued := ts.sync("s3", dirImport, id)
	job, _ := queued["last_sync_job"].(string)
	if queued["status"] != statusQueued || !regexp.MustCompile(`^[0-9a-f-]{36}$`).MatchString(job) || queued["last_sync"] != nil {
		t.Fatalf("queued response: %v", queued)
	}
	ts.waitStatus("s3", dirImport, id, statusInProgress)
	again := ts.sync("s3", dirImport, id)
	if again["last_sync_job"] != job || again["meta"].(map[string]any)["attempts"] != float64(1) {
		t.Errorf("a sync while one runs started another: %v", again)
	}
	close(gate)
	done := ts.waitStatus("s3", dirImport, id, statusCompleted, statusFailed)
	if done["status"] != statusCompleted || done["last_sync_count"] != float64(1) || done["last_sync_job"] != job {
		t.Errorf("final state: %v", done)
	}
}

func TestProgressWhileRunning(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.SyncMode = SyncQueued; c.InProgressTimer = time.Nanosecond })
	project := ts.createProject("")
	for _, key := range []string{"a.json", "b.json", "c.json"} {
		ts.backend.put(key, `{"text":"x"}`)
	}
	release := make(chan struct{})
	ts.backend.mu.Lock()
	ts.backend.readHook = func(key string) {
		if key == "c.json" {
			<-release
		}
	}
	ts.backend.mu.Unlock()
	id := int64(ts.createStorage("s3", dirImport, map[string]any{"project": project})["id"].(float64))
	ts.sync("s3", dirImport, id)
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := ts.object(ts.mustDo(http.MethodGet, storagePath("s3", dirImport, id, ""), nil, http.StatusOK))
		if got["status"] == statusInProgress && got["last_sync_count"] == float64(2) {
			break
		}
		if time.Now().After(deadline) {
			close(release)
			t.Fatalf("no progress reported while running: %v", got)
		}
		time.Sleep(2 * time.Millisecond)
	}
	close(release)
	if done := ts.waitStatus("s3", dirImport, id, statusCompleted); done["last_sync_count"] != float64(3) {
		t.Errorf("final count %v", done["last_sync_count"])
	}
}

func TestHealthCheckPingTooOld(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.SyncMode = SyncQueued; c.InProgressTimer = time.Millisecond })
	project := ts.createProject("")
	gate := make(chan struct{})
	defer close(gate)
	ts.backend.mu.Lock()
	ts.backend.listGate = gate
	ts.backend.mu.Unlock()
	id := int64(ts.createStorage("gcs", dirImport, map[string]any{"project": project})["id"].(float64))
	ts.sync("gcs", dirImport, id)
	ts.waitStatus("gcs", dirImport, id, statusInProgress)
	// Retrieve never runs the check; the list does once the ping is older
	// than 5 x InProgressTimer. It saves status and traceback only
	// (io_storages/base_models.py health_check: update_fields=['status',
	// 'traceback']): every other field is what retrieve showed just before.
	deadline := time.Now().Add(10 * time.Second)
	for {
		before := ts.object(ts.mustDo(http.MethodGet, storagePath("gcs", dirImport, id, ""), nil, http.StatusOK))
		if before["status"] != statusInProgress {
			t.Fatalf("retrieve changed the status: %v", before)
		}
		var list []map[string]any
		ts.decode(ts.mustDo(http.MethodGet, "/api/storages/gcs/?project="+itoa(project), nil, http.StatusOK), &list)
		if list[0]["status"] == statusFailed {
			if !strings.Contains(list[0]["traceback"].(string), "last ping time is too old") {
				t.Errorf("traceback %q", list[0]["traceback"])
			}
			for field, value := range before {
				if field != "status" && field != "traceback" && !reflect.DeepEqual(list[0][field], value) {
					t.Errorf("the health check changed %s: %v, was %v", field, list[0][field], value)
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("never marked failed: %v", list[0])
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestExportSync(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.SyncOnTargetStorageCreation = false })
	project := ts.createProject("")
	ts.backend.put("t.json", `[{"text":"a"},{"text":"b"}]`)
	importID := int64(ts.createStorage("s3", dirImport, map[string]any{"project": project})["id"].(float64))
	ts.sync("s3", dirImport, importID)
	var annotationIDs []string
	for _, task := range ts.tasksOf(project) {
		r := ts.mustDo(http.MethodPost, "/_dev/tasks/"+itoa(int64(task["id"].(float64)))+"/annotations",
			map[string]any{"result": []any{map[string]any{"type": "choices", "value": map[string]any{"choices": []any{"x"}}}}}, http.StatusCreated)
		annotationIDs = append(annotationIDs, itoa(int64(ts.object(r)["id"].(float64))))
	}
	exportID := int64(ts.createStorage("gcs", dirExport, map[string]any{"project": project})["id"].(float64))
	done := ts.sync("gcs", dirExport, exportID)
	if done["status"] != statusCompleted || done["last_sync_count"] != float64(2) || done["meta"].(map[string]any)["total_annotations"] != float64(2) {
		t.Fatalf("export sync: %v", done)
	}
	written := ts.backend.writtenObjects()
	for _, key := range annotationIDs {
		var obj map[string]any
		if err := json.Unmarshal(written[key], &obj); err != nil {
			t.Fatalf("object %s: %v (%q)", key, err, written[key])
		}
		task, _ := obj["task"].(map[string]any)
		by, _ := obj["completed_by"].(map[string]any)
		if itoa(int64(obj["id"].(float64))) != key || task["data"] == nil || by["email"] != bootstrapUserEmail || obj["result"] == nil {
			t.Errorf("exported object %s: %v", key, obj)
		}
		if _, nested := task["annotations"]; nested {
			t.Errorf("the nested task must not carry annotations")
		}
	}
	if len(written) != 2 {
		t.Errorf("%d objects written, want 2", len(written))
	}
}

func TestTaskListPagination(t *testing.T) {
	ts := newTestServer(t, nil)
	project := ts.createProject("")
	other := ts.createProject("")
	ts.backend.put("t.json", `[{"n":1},{"n":2},{"n":3}]`)
	for _, p := range []int64{project, other} {
		ts.sync("s3", dirImport, int64(ts.createStorage("s3", dirImport, map[string]any{"project": p})["id"].(float64)))
	}
	var page struct {
		Tasks []map[string]any
		Total int
	}
	ts.decode(ts.mustDo(http.MethodGet, "/api/tasks/?project="+itoa(project)+"&page=2&page_size=2", nil, http.StatusOK), &page)
	if page.Total != 3 || len(page.Tasks) != 1 || page.Tasks[0]["data"].(map[string]any)["n"] != float64(3) || page.Tasks[0]["project"] != float64(project) {
		t.Errorf("page 2 of 2: total %d, tasks %v", page.Total, page.Tasks)
	}
	ts.envelope(ts.do(http.MethodGet, "/api/tasks/?project="+itoa(project)+"&page=3&page_size=2", nil), http.StatusNotFound)
	ts.envelope(ts.do(http.MethodGet, "/api/tasks/?project=999", nil), http.StatusNotFound)
}
