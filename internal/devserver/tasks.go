package devserver

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// undefinedKey is where a blob-URL task keeps its URI until the task is
// read through the API under the project's object-tag variable.
const undefinedKey = "$undefined$"

type task struct {
	ID              int64          `json:"id"`
	Project         int64          `json:"project"`
	Data            map[string]any `json:"data"`
	Predictions     []any          `json:"predictions"`
	StorageFilename string         `json:"storage_filename"`
	CreatedAt       string         `json:"created_at"`
	UpdatedAt       string         `json:"updated_at"`
}

type annotation struct {
	ID        int64  `json:"id"`
	Task      int64  `json:"task"`
	Project   int64  `json:"project"`
	Result    []any  `json:"result"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
	// ImportID keeps the id an imported annotation had (API.md 6.4).
	ImportID any `json:"import_id"`
}

// importedTask is one task parsed from a storage object.
type importedTask struct {
	data        map[string]any
	annotations []any
	predictions []any
}

// parseTaskFile reads an object as JSON tasks: one object, an array of
// objects, or JSON lines (API.md 6.4).
func parseTaskFile(key string, content []byte) ([]map[string]any, error) {
	invalid := labelStudioMessage(fmt.Sprintf("Can't import JSON-formatted tasks from %s. If you're trying to import binary objects, "+
		"perhaps you forgot to enable \"Tasks\" import method?", key))
	var whole any
	if err := json.Unmarshal(content, &whole); err == nil {
		switch v := whole.(type) {
		case map[string]any:
			return []map[string]any{v}, nil
		case []any:
			out := make([]map[string]any, 0, len(v))
			for _, item := range v {
				obj, ok := item.(map[string]any)
				if !ok {
					return nil, labelStudioMessage(fmt.Sprintf("Error at %s: every task in a JSON array must be a dict, got %s", key, pythonTypeName(item)))
				}
				out = append(out, obj)
			}
			return out, nil
		default:
			return nil, invalid
		}
	}
	var out []map[string]any
	lines := bufio.NewScanner(bytes.NewReader(content))
	lines.Buffer(make([]byte, 0, 64*1024), len(content)+1)
	for lines.Scan() {
		line := bytes.TrimSpace(lines.Bytes())
		if len(line) == 0 {
			continue
		}
		var obj map[string]any
		if err := json.Unmarshal(line, &obj); err != nil || obj == nil {
			return nil, invalid
		}
		out = append(out, obj)
	}
	if lines.Err() != nil || len(out) == 0 {
		return nil, invalid
	}
	return out, nil
}

// splitInvalidTasks turns parsed objects into tasks. A task whose
// annotations or predictions are malformed is left out and reported (the
// sync ends completed_with_errors); annotations without data fail the
// whole sync, which the caller sees as a single failed row list entry.
func splitInvalidTasks(key string, objs []map[string]any, failed []string) ([]importedTask, []string) {
	var tasks []importedTask
	for i, obj := range objs {
		t, problem := toImportedTask(obj)
		if problem != "" {
			failed = append(failed, fmt.Sprintf("Task %d in %s: %s", i, key, problem))
			continue
		}
		tasks = append(tasks, t)
	}
	return tasks, failed
}

func toImportedTask(obj map[string]any) (importedTask, string) {
	rawData, hasData := obj["data"]
	_, hasAnnotations := obj["annotations"]
	_, hasPredictions := obj["predictions"]
	if !hasData {
		if hasAnnotations || hasPredictions {
			return importedTask{}, `"data" key is required when "annotations" or "predictions" are present`
		}
		return importedTask{data: obj}, ""
	}
	data, ok := rawData.(map[string]any)
	if !ok {
		return importedTask{}, `"data" must be a dict`
	}
	t := importedTask{data: data}
	var problem string
	if t.annotations, problem = resultItems("annotations", obj["annotations"]); problem != "" {
		return importedTask{}, problem
	}
	if t.predictions, problem = resultItems("predictions", obj["predictions"]); problem != "" {
		return importedTask{}, problem
	}
	return t, ""
}

// resultItems checks a list of annotations or predictions: dicts, each with
// a result list.
func resultItems(field string, raw any) ([]any, string) {
	if raw == nil {
		return nil, ""
	}
	items, ok := raw.([]any)
	if !ok {
		return nil, fmt.Sprintf("%s must be a list", field)
	}
	for i, item := range items {
		obj, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Sprintf("%s[%d] must be a dict", field, i)
		}
		if _, ok := obj["result"].([]any); !ok {
			return nil, fmt.Sprintf("%s[%d].result: a list of regions is required", field, i)
		}
	}
	return items, ""
}

// addTask stores an imported task and its annotations.
func (st *state) addTask(project int64, t importedTask, filename string, now time.Time) int64 {
	id := st.nextID("task")
	predictions := t.predictions
	if predictions == nil {
		predictions = []any{}
	}
	st.Tasks[id] = &task{ID: id, Project: project, Data: t.data, Predictions: predictions,
		StorageFilename: filename, CreatedAt: isoTime(now), UpdatedAt: isoTime(now)}
	for _, item := range t.annotations {
		obj, _ := item.(map[string]any)
		result, _ := obj["result"].([]any)
		st.addAnnotation(id, project, result, obj["id"], now)
	}
	return id
}

func (st *state) addAnnotation(taskID, project int64, result []any, importID any, now time.Time) *annotation {
	a := &annotation{ID: st.nextID("annotation"), Task: taskID, Project: project, Result: result,
		CreatedAt: isoTime(now), UpdatedAt: isoTime(now), ImportID: importID}
	st.Annotations[a.ID] = a
	return a
}

func (st *state) annotationsOf(taskID int64) []*annotation {
	var out []*annotation
	for _, a := range st.Annotations {
		if a.Task == taskID {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// annotationJSON is an annotation as Label Studio serializes it.
func annotationJSON(a *annotation) map[string]any {
	return map[string]any{
		"id": a.ID, "task": a.Task, "project": a.Project, "result": a.Result,
		"created_at": a.CreatedAt, "updated_at": a.UpdatedAt, "completed_by": bootstrapUserID,
		"was_cancelled": false, "ground_truth": false, "lead_time": nil, "import_id": a.ImportID,
		"unique_id": fmt.Sprintf("%d-%d", a.Task, a.ID), "last_action": nil, "result_count": len(a.Result),
	}
}

// exportedObject is one annotation as an export sync writes it.
type exportedObject struct {
	key  string
	data []byte
}

// exportedAnnotations renders every annotation of a project as Label
// Studio's export format: the annotation, its task without annotations, and
// completed_by expanded (API.md 6.5).
func (st *state) exportedAnnotations(project int64) []exportedObject {
	var list []*annotation
	for _, a := range st.Annotations {
		if a.Project == project {
			list = append(list, a)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	out := make([]exportedObject, 0, len(list))
	for _, a := range list {
		body := annotationJSON(a)
		if t, ok := st.Tasks[a.Task]; ok {
			body["task"] = map[string]any{
				"id": t.ID, "data": t.Data, "meta": map[string]any{}, "created_at": t.CreatedAt, "updated_at": t.UpdatedAt,
				"is_labeled": true, "overlap": 1, "project": t.Project, "file_upload": nil, "inner_id": t.ID,
			}
		}
		body["completed_by"] = map[string]any{"id": bootstrapUserID, "first_name": "", "last_name": "", "email": bootstrapUserEmail}
		data, err := json.Marshal(body)
		if err != nil {
			continue // values came from JSON, so this cannot happen
		}
		out = append(out, exportedObject{key: strconv.FormatInt(a.ID, 10), data: data})
	}
	return out
}

// taskJSON is a task as GET /api/tasks/ shows it: a blob URL appears under
// the project's first object-tag variable.
func (st *state) taskJSON(t *task) map[string]any {
	data := make(map[string]any, len(t.Data))
	for k, v := range t.Data {
		data[k] = v
	}
	if uri, ok := data[undefinedKey]; ok {
		if p, found := st.Projects[t.Project]; found {
			if variable := firstObjectVariable(p.LabelConfig); variable != "" {
				delete(data, undefinedKey)
				data[variable] = uri
			}
		}
	}
	annotations := []any{}
	ids := []string{}
	for _, a := range st.annotationsOf(t.ID) {
		annotations = append(annotations, annotationJSON(a))
		ids = append(ids, strconv.FormatInt(a.ID, 10))
	}
	return map[string]any{
		"id": t.ID, "project": t.Project, "data": data, "meta": map[string]any{},
		"annotations": annotations, "predictions": t.Predictions,
		"created_at": t.CreatedAt, "updated_at": t.UpdatedAt, "storage_filename": t.StorageFilename,
		"is_labeled": len(annotations) > 0, "total_annotations": len(annotations), "total_predictions": len(t.Predictions),
		"cancelled_annotations": 0, "inner_id": t.ID, "file_upload": "", "overlap": 1,
		"annotations_ids": strings.Join(ids, ","), "drafts": []any{}, "updated_by": []any{},
		// The data manager's computed columns, empty on this server.
		"agreement": "", "agreement_selected": "", "annotation_time": 0, "review_time": 0,
		"annotations_results": "", "predictions_results": "", "predictions_model_versions": "",
		"annotators": []any{}, "annotators_count": len(annotations), "reviewers": []any{}, "reviewers_count": 0,
		"comment_authors": []any{}, "comment_authors_count": 0, "comments": "", "state": "",
	}
}

func (s *Server) handleTaskGet(w http.ResponseWriter, _ *http.Request, p routeParams) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return writeFound(w, s.st.Tasks, p.id, "Task", s.st.taskJSON)
}

// handleTaskList is GET /api/tasks/?project=N, paginated the way Label
// Studio's data manager list is ({tasks, total, total_annotations,
// total_predictions}).
func (s *Server) handleTaskList(w http.ResponseWriter, r *http.Request, _ routeParams) error {
	var project int64
	if raw := r.URL.Query().Get("project"); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return fieldError("project", "A valid integer is required.")
		}
		project = id
	}
	page, size, err := pageParams(r, 100)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if project != 0 {
		if _, ok := s.st.Projects[project]; !ok {
			return notFound("Project")
		}
	}
	var list []*task
	for _, t := range s.st.Tasks {
		if project == 0 || t.Project == project {
			list = append(list, t)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	start, end, err := pageBounds(len(list), page, size)
	if err != nil {
		return err
	}
	tasks := []map[string]any{}
	totalAnnotations, totalPredictions := 0, 0
	for _, t := range list {
		totalAnnotations += len(s.st.annotationsOf(t.ID))
		totalPredictions += len(t.Predictions)
	}
	for _, t := range list[start:end] {
		tasks = append(tasks, s.st.taskJSON(t))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"tasks": tasks, "total": len(list), "total_annotations": totalAnnotations, "total_predictions": totalPredictions,
	})
	return nil
}

// pageParams reads DRF's page and page_size.
func pageParams(r *http.Request, defaultSize int) (int, int, error) {
	page, size := 1, defaultSize
	q := r.URL.Query()
	if raw := q.Get("page"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			return 0, 0, &apiError{status: http.StatusNotFound, detail: "Invalid page."}
		}
		page = n
	}
	if raw := q.Get("page_size"); raw != "" {
		if n, err := strconv.Atoi(raw); err == nil && n > 0 {
			size = n
		}
	}
	return page, size, nil
}

// pageBounds slices a page; a page past the end is DRF's "Invalid page." 404
// (except page 1 of an empty list).
func pageBounds(total, page, size int) (int, int, error) {
	start := (page - 1) * size
	if start >= total && page > 1 {
		return 0, 0, &apiError{status: http.StatusNotFound, detail: "Invalid page."}
	}
	end := min(start+size, total)
	return start, end, nil
}
