package devserver

import (
	"fmt"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/htmlclean"
)

// What a project holds and how a create, PATCH or PUT body becomes it:
// Label Studio's writable project fields, their defaults and checks.

const defaultLabelConfig = "<View></View>"

type project struct {
	ID          int64  `json:"id"`
	Title       string `json:"title"`
	LabelConfig string `json:"label_config"`
	CreatedAt   string `json:"created_at"`
	// Settings holds the other writable fields (description,
	// show_skip_button, …) with their defaults.
	Settings map[string]any `json:"settings"`
}

// projectSettings are the optional writable project fields with Label
// Studio's defaults (API.md 13); title and label_config are handled apart.
var projectSettings = []struct {
	spec fieldSpec
	def  any
}{
	{fieldSpec{name: "description", typ: typeString, nullable: true}, ""},
	{fieldSpec{name: "expert_instruction", typ: typeString, nullable: true}, ""},
	{fieldSpec{name: "show_instruction", typ: typeBool}, false},
	{fieldSpec{name: "show_skip_button", typ: typeBool}, true},
	{fieldSpec{name: "enable_empty_annotation", typ: typeBool}, true},
	{fieldSpec{name: "show_annotation_history", typ: typeBool}, false},
	{fieldSpec{name: "show_collab_predictions", typ: typeBool}, true},
	{fieldSpec{name: "maximum_annotations", typ: typeInt, min: -2147483648, max: 2147483647}, float64(1)},
	{fieldSpec{name: "min_annotations_to_start_training", typ: typeInt, min: -2147483648, max: 2147483647}, float64(0)},
	{fieldSpec{name: "is_published", typ: typeBool}, false},
	{fieldSpec{name: "is_draft", typ: typeBool}, false},
	{fieldSpec{name: "color", typ: typeString, nullable: true, maxLen: 16}, "#FFFFFF"},
	{fieldSpec{name: "control_weights", typ: typeJSON, nullable: true}, map[string]any{}},
	{fieldSpec{name: "model_version", typ: typeString, nullable: true}, ""},
	{fieldSpec{name: "pinned_at", typ: typeDateTime, nullable: true}, nil},
	{fieldSpec{name: "evaluate_predictions_automatically", typ: typeBool}, false},
	{fieldSpec{name: "reveal_preannotations_interactively", typ: typeBool}, false},
	{fieldSpec{name: "show_ground_truth_first", typ: typeBool}, false},
	{fieldSpec{name: "show_overlap_first", typ: typeBool}, false},
	{fieldSpec{name: "overlap_cohort_percentage", typ: typeInt, min: -2147483648, max: 2147483647}, float64(100)},
	// Returned in clear: ProjectSerializer does not make it write-only.
	{fieldSpec{name: "task_data_login", typ: typeString, nullable: true, maxLen: 256}, nil},
	{fieldSpec{name: "task_data_password", typ: typeString, nullable: true, maxLen: 256}, nil},
}

var projectChoices = map[string][]string{
	"sampling":   {"Sequential sampling", "Uniform sampling", "Uncertainty sampling"},
	"skip_queue": {"REQUEUE_FOR_ME", "REQUEUE_FOR_OTHERS", "IGNORE_SKIPPED"},
}

var projectChoiceDefaults = map[string]string{"sampling": "Sequential sampling", "skip_queue": "REQUEUE_FOR_OTHERS"}

// cleanProjectBody validates a project body; create fills the defaults.
func cleanProjectBody(body map[string]any, create bool) (map[string]any, error) {
	out := map[string]any{}
	errs := map[string]any{}
	if raw, ok := body["title"]; ok {
		value, msg := convert(fieldSpec{name: "title", typ: typeString, nullable: true, maxLen: 50}, raw)
		text, _ := value.(string)
		switch {
		case msg != "":
			errs["title"] = []string{msg}
		case text != "" && len([]rune(text)) < 3:
			errs["title"] = []string{"Ensure this field has at least 3 characters."}
		default:
			out["title"] = text
		}
	} else if create {
		out["title"] = ""
	}
	if raw, ok := body["label_config"]; ok {
		value, msg := convert(fieldSpec{name: "label_config", typ: typeString, nullable: true}, raw)
		text, _ := value.(string)
		if msg == "" {
			if text == "" {
				text = defaultLabelConfig
			}
			if _, err := parseLabelConfig(text); err != nil {
				msg = err.Error()
			}
		}
		if msg != "" {
			errs["label_config"] = []string{msg}
		} else {
			out["label_config"] = text
		}
	} else if create {
		out["label_config"] = defaultLabelConfig
	}
	for _, setting := range projectSettings {
		raw, ok := body[setting.spec.name]
		if !ok {
			if create {
				out[setting.spec.name] = setting.def
			}
			continue
		}
		value, msg := convert(setting.spec, raw)
		if msg != "" {
			errs[setting.spec.name] = []string{msg}
			continue
		}
		out[setting.spec.name] = value
	}
	for name, choices := range projectChoices {
		raw, ok := body[name]
		if !ok {
			if create {
				out[name] = projectChoiceDefaults[name]
			}
			continue
		}
		text, _ := raw.(string)
		valid := false
		for _, c := range choices {
			valid = valid || c == text
		}
		if !valid {
			errs[name] = []string{fmt.Sprintf("%q is not a valid choice.", fmt.Sprint(plainValue(raw)))}
			continue
		}
		out[name] = text
	}
	if len(errs) > 0 {
		return nil, validationError(errs)
	}
	if raw, ok := body["expert_instruction"]; ok {
		// projects/serializers.py runs the raw request value (not the
		// trimmed one) through bleach.clean, which refuses anything but text.
		text, isText := raw.(string)
		if !isText {
			return nil, uncaught("TypeError", fmt.Sprintf("argument cannot be of '%s' type, must be of text type", pythonTypeName(raw)))
		}
		out["expert_instruction"] = htmlclean.Clean(text).HTML
	}
	return out, nil
}

// applyProjectBody writes cleaned values to a project.
func applyProjectBody(p *project, cleaned map[string]any) {
	for name, value := range cleaned {
		switch name {
		case "title":
			p.Title, _ = value.(string)
		case "label_config":
			p.LabelConfig, _ = value.(string)
		default:
			p.Settings[name] = value
		}
	}
}
