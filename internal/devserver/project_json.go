package devserver

import (
	"maps"
	"strconv"
)

// A project as Label Studio answers it, with its counters, in the form each
// operation's schema gives.

// projectView is which schema a project response follows; the public
// schema types some counters differently per operation.
type projectView int

const (
	viewCreate projectView = iota
	viewDetail             // retrieve
	viewUpdate             // PATCH and PUT
	viewList
)

// projectJSON is a project response with its counters computed.
func (st *state) projectJSON(p *project, view projectView) map[string]any {
	tasks, annotations, predictions, withAnnotations := 0, 0, 0, 0
	for _, t := range st.Tasks {
		if t.Project != p.ID {
			continue
		}
		tasks++
		predictions += len(t.Predictions)
		if n := len(st.annotationsOf(t.ID)); n > 0 {
			annotations += n
			withAnnotations++
		}
	}
	parsed := parsedLabelConfig(p.LabelConfig)
	out := maps.Clone(p.Settings)
	maps.Copy(out, map[string]any{
		"id": p.ID, "title": p.Title, "label_config": p.LabelConfig, "created_at": p.CreatedAt,
		"created_by":   map[string]any{"id": bootstrapUserID, "username": bootstrapUserName, "email": bootstrapUserEmail, "first_name": "", "last_name": "", "avatar": ""},
		"organization": 1, "parsed_label_config": parsed, "config_has_control_tags": len(parsed) > 0,
		"config_suitable_for_bulk_annotation": false, "start_training_on_annotation_update": false,
		"state": "", "task_number": tasks, "num_tasks_with_annotations": withAnnotations,
		"finished_task_number": withAnnotations, "total_annotations_number": annotations,
		"total_predictions_number": predictions, "useful_annotation_number": annotations,
		"ground_truth_number": 0, "skipped_annotations_number": 0, "queue_total": tasks, "queue_done": withAnnotations,
		"queue_left": tasks - withAnnotations, "allow_stream": tasks > 0, "ready": tasks > 0, "rejected": 0,
		"review_total_tasks": 0, "reviewed_number": 0, "reviewer_queue_total": 0, "members": "", "members_count": 1,
		"prompts": "", "data_types": map[string]any{}, "is_dimensions_enabled": "false", "workspace": "", "workspace_title": "",
		"assignment_settings": map[string]any{"id": p.ID}, "review_settings": map[string]any{"id": p.ID, "requeue_rejected_tasks_to_annotator": false},
	})
	switch view {
	case viewCreate:
		// The create serializer has no workspace fields.
		delete(out, "workspace")
		delete(out, "workspace_title")
	case viewUpdate:
		out["workspace"] = 0 // the update serializer writes the workspace id
	}
	if view == viewList {
		// The list serializer computes these counters as method fields,
		// which the public schema types as strings.
		for _, name := range []string{"queue_total", "skipped_annotations_number", "total_annotations_number"} {
			out[name] = strconv.Itoa(toIntOrZero(out[name]))
		}
		out["blueprints"] = []any{}
		out["description_short"], _ = p.Settings["description"].(string)
	}
	return out
}

func toIntOrZero(v any) int {
	if n, ok := v.(int); ok {
		return n
	}
	return 0
}
