package storagepreview

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// TaskFileError is one problem a sync would meet in a task file.
type TaskFileError struct {
	Key     string
	Message string
}

// ParseTaskFile checks an object the way Label Studio's import reads it when
// use_blob_urls is false (io_storages/utils.py, load_tasks_json_lso): the
// first non-blank character decides between a JSON array of tasks ('[') and
// one task object or JSON Lines ('{'); every task must be an object, either
// {"data": {...}, "annotations": [...], "predictions": [...]} or a flat
// object used as the data. It returns the number of tasks and the problems.
func ParseTaskFile(key string, content []byte) (tasks int, problems []string) {
	if !utf8.Valid(content) {
		return 0, []string{"not UTF-8 text: a binary object needs use_blob_urls = true"}
	}
	trimmed := bytes.TrimSpace(content)
	if len(trimmed) == 0 {
		return 0, []string{"empty file: Label Studio cannot import JSON-formatted tasks from it"}
	}
	notJSON := fmt.Sprintf("not JSON: Label Studio fails the sync with \"Can't import JSON-formatted tasks from %s\"; for media files set use_blob_urls = true", key)
	switch trimmed[0] {
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(trimmed, &items); err != nil {
			return 0, []string{notJSON + " (" + err.Error() + ")"}
		}
		for i, item := range items {
			if p := checkTask(item); p != "" {
				problems = append(problems, fmt.Sprintf("task %d: %s", i, p))
			}
		}
		return len(items), problems
	case '{':
		if json.Valid(trimmed) {
			if p := checkTask(trimmed); p != "" {
				problems = append(problems, p)
			}
			return 1, problems
		}
		return parseJSONLines(trimmed, notJSON)
	default:
		return 0, []string{notJSON + fmt.Sprintf(" (it starts with %q; a task file starts with { or [)", trimmed[0])}
	}
}

// parseJSONLines reads one task per non-blank line; a line that is not JSON
// fails the whole file, as in Label Studio.
func parseJSONLines(content []byte, notJSON string) (tasks int, problems []string) {
	lines := bufio.NewScanner(bytes.NewReader(content))
	lines.Buffer(make([]byte, 0, 64*1024), len(content)+1)
	for n := 1; lines.Scan(); n++ {
		line := bytes.TrimSpace(lines.Bytes())
		if len(line) == 0 {
			continue
		}
		if !json.Valid(line) {
			return 0, []string{fmt.Sprintf("%s (line %d is not JSON; JSON Lines holds one task object per line)", notJSON, n)}
		}
		if p := checkTask(line); p != "" {
			problems = append(problems, fmt.Sprintf("line %d: %s", n, p))
		}
		tasks++
	}
	return tasks, problems
}

// checkTask is Label Studio's per-task check of one JSON value.
func checkTask(raw json.RawMessage) string {
	var task map[string]json.RawMessage
	if err := json.Unmarshal(raw, &task); err != nil || task == nil {
		return "not a JSON object; every task is an object such as {\"data\": {\"image\": \"s3://bucket/key.jpg\"}}"
	}
	data, hasData := task["data"]
	_, hasAnnotations := task["annotations"]
	_, hasPredictions := task["predictions"]
	if !hasData {
		if hasAnnotations || hasPredictions {
			return `"data" is required when "annotations" or "predictions" are present`
		}
		return ""
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil || fields == nil {
		return `"data" must be an object`
	}
	for _, name := range []string{"annotations", "predictions"} {
		if p := checkResults(name, task[name]); p != "" {
			return p
		}
	}
	return ""
}

// checkResults checks annotations or predictions: null or absent, or a list
// of objects that each hold a "result" list of regions.
func checkResults(name string, raw json.RawMessage) string {
	if raw == nil || string(raw) == "null" {
		return ""
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return fmt.Sprintf("%q must be a list", name)
	}
	for i, item := range items {
		var obj struct {
			Result json.RawMessage `json:"result"`
		}
		if err := json.Unmarshal(item, &obj); err != nil {
			return fmt.Sprintf("%s[%d] must be an object", name, i)
		}
		var regions []json.RawMessage
		if err := json.Unmarshal(obj.Result, &regions); err != nil || regions == nil {
			return fmt.Sprintf("%s[%d].result: a list of regions is required", name, i)
		}
	}
	return ""
}
