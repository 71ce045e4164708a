package devserver

import "fmt"

// What ProjectSerializer and Project.save do beyond storing fields
// (label_studio/projects/serializers.py, projects/models.py): the update
// checks of label_config and model_version, show_collab_predictions
// clearing model_version, and control_weights derived from the label
// config.

const msgUnknownModelVersion = "Model version doesn't exist either as live model or as static predictions."

// validateProjectUpdate runs the field validators ProjectSerializer has
// for an existing project: validate_label_config (validate_config, not
// strict, against the annotations) and validate_model_version (a new,
// non-empty version must be an ML backend's title or a prediction's
// model_version).
func (st *state) validateProjectUpdate(p *project, cleaned map[string]any) error {
	errs := map[string]any{}
	if config, ok := cleaned["label_config"].(string); ok {
		if err := st.checkConfigAgainstAnnotations(p, config, false); err != nil {
			errs["label_config"] = []string{err.Error()}
		}
	}
	if value, ok := cleaned["model_version"]; ok && p.Settings["model_version"] != value && value != "" && !st.modelVersionExists(p.ID, value) {
		errs["model_version"] = []string{msgUnknownModelVersion}
	}
	if len(errs) > 0 {
		return validationError(errs)
	}
	return nil
}

func (st *state) modelVersionExists(projectID int64, version any) bool {
	for _, b := range st.MLBackends {
		if b.Project == projectID && b.Fields["title"] == version {
			return true
		}
	}
	for _, t := range st.Tasks {
		if t.Project != projectID {
			continue
		}
		for _, raw := range t.Predictions {
			if pred, ok := raw.(map[string]any); ok && pred["model_version"] == version {
				return true
			}
		}
	}
	return false
}

// updateProjectSettings is ProjectSerializer.update then Project.save on
// an existing project: show_collab_predictions false empties
// model_version (unless the body sets one), the values are applied, and
// control_weights is recomputed when the label config changed or the
// weights are empty.
func updateProjectSettings(p *project, cleaned map[string]any) error {
	oldConfig := p.LabelConfig
	if cleaned["show_collab_predictions"] == false {
		p.Settings["model_version"] = ""
	}
	next := *p
	next.Settings = cloneSettings(p.Settings)
	applyProjectBody(&next, cleaned)
	if next.LabelConfig != "" && (next.LabelConfig != oldConfig || !truthy(next.Settings["control_weights"])) {
		weights, err := updatedControlWeights(next.LabelConfig, next.Settings["control_weights"])
		if err != nil {
			return err
		}
		next.Settings["control_weights"] = weights
	}
	*p = next
	return nil
}

// createProjectSettings is Project.save for a new project: control_weights
// is always derived from the label config, keeping the weights the body
// gave for tags the config has.
func createProjectSettings(p *project) error {
	if p.LabelConfig == "" {
		return nil
	}
	weights, err := updatedControlWeights(p.LabelConfig, p.Settings["control_weights"])
	if err != nil {
		return err
	}
	p.Settings["control_weights"] = weights
	return nil
}

func cloneSettings(in map[string]any) map[string]any {
	out := make(map[string]any, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

// updatedControlWeights is Project.get_updated_weights: one entry per
// control tag of the config (Filter excepted), {"overall", "type",
// "labels"}, each weight the current one or 1.0. Current weights that are
// not objects fail the way Python's .get does on them.
func updatedControlWeights(config string, current any) (map[string]any, error) {
	controls := controlTags(config)
	out := map[string]any{}
	if len(controls) == 0 {
		return out, nil
	}
	weights, ok := current.(map[string]any)
	if !ok {
		return nil, uncaught("AttributeError", fmt.Sprintf("'%s' object has no attribute 'get'", pythonTypeName(current)))
	}
	for _, c := range controls {
		if c.typ == "Filter" {
			continue // exclude_control_types
		}
		overall := any(1.0)
		entry := weights[c.name]
		var entryMap map[string]any
		if truthy(entry) {
			if entryMap, ok = entry.(map[string]any); !ok {
				return nil, uncaught("AttributeError", fmt.Sprintf("'%s' object has no attribute 'get'", pythonTypeName(entry)))
			}
			if v, has := entryMap["overall"]; has && v != nil {
				overall = v
			}
		}
		labels := map[string]any{}
		var currentLabels map[string]any
		if entry != nil {
			if m, isMap := entry.(map[string]any); isMap {
				if l, has := m["labels"]; has {
					if currentLabels, ok = l.(map[string]any); !ok {
						return nil, uncaught("AttributeError", fmt.Sprintf("'%s' object has no attribute 'get'", pythonTypeName(l)))
					}
				}
			}
		}
		for _, label := range c.labels {
			if v, has := currentLabels[label]; has && v != nil {
				labels[label] = v
			} else {
				labels[label] = 1.0
			}
		}
		out[c.name] = map[string]any{"overall": overall, "type": c.typ, "labels": labels}
	}
	return out, nil
}
