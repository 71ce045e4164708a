package devserver

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Label config validation against a project's annotations: Project.validate_config
// (label_studio/projects/models.py) with the helpers of core/label_config.py,
// and the two validate endpoints of projects/api.py.

// controlTag is one control tag of parse_config: a named tag with toName.
type controlTag struct {
	name    string
	typ     string
	toName  []string
	labels  []string
	dynamic bool
	inputs  []map[string]any
}

// controlTags is parse_config in document order; nil for a config that
// does not parse.
func controlTags(config string) []controlTag {
	tags, err := parseLabelConfig(config)
	if err != nil {
		return nil
	}
	byName := map[string]*labelTag{}
	for _, t := range tags {
		if t.name != "" {
			byName[t.name] = t
		}
	}
	var out []controlTag
	for _, t := range tags {
		if t.name == "" || len(t.toName) == 0 {
			continue
		}
		c := controlTag{name: t.name, typ: t.tag, toName: t.toName, labels: t.children, dynamic: strings.HasPrefix(t.value, "$")}
		for _, to := range t.toName {
			if target := byName[to]; target != nil {
				c.inputs = append(c.inputs, map[string]any{"type": target.tag, "value": strings.TrimPrefix(target.value, "$")})
			}
		}
		out = append(out, c)
	}
	return out
}

// fullMatch is Python's re.fullmatch of a tag name used as a pattern;
// a name that is not a valid pattern matches only itself.
func fullMatch(pattern, s string) bool {
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return pattern == s
	}
	return re.MatchString(s)
}

// annotationSummary is ProjectSummary's created_annotations and
// created_labels, computed from the project's annotations one at a time
// (update_created_annotations_and_labels per saved annotation). Keys keep
// the order of first appearance, as Python dicts do.
type annotationSummary struct {
	annotationKeys []string
	annotations    map[string]int
	labelTags      []string
	labels         map[string]map[string]int
	labelOrder     map[string][]string
}

func (st *state) summaryOf(projectID int64) annotationSummary {
	sum := annotationSummary{annotations: map[string]int{}, labels: map[string]map[string]int{}, labelOrder: map[string][]string{}}
	var list []*annotation
	for _, a := range st.Annotations {
		if a.Project == projectID {
			list = append(list, a)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	for _, a := range list {
		for _, raw := range a.Result {
			result, ok := raw.(map[string]any)
			if !ok {
				continue
			}
			key, ok := annotationKey(result)
			if !ok {
				continue
			}
			if _, seen := sum.annotations[key]; !seen {
				sum.annotationKeys = append(sum.annotationKeys, key)
			}
			sum.annotations[key]++
			from, _ := result["from_name"].(string)
			if _, seen := sum.labels[from]; !seen {
				sum.labels[from] = map[string]int{}
				sum.labelTags = append(sum.labelTags, from)
			}
			for _, label := range resultLabels(result) {
				if _, seen := sum.labels[from][label]; !seen {
					sum.labelOrder[from] = append(sum.labelOrder[from], label)
				}
				sum.labels[from][label]++
			}
		}
	}
	return sum
}

// annotationKey is ProjectSummary._get_annotation_key: from|to|type,
// none for relations, pairwise and untyped results.
func annotationKey(result map[string]any) (string, bool) {
	typ, _ := result["type"].(string)
	if typ == "" || typ == "relation" || typ == "pairwise" {
		return "", false
	}
	from, hasFrom := result["from_name"].(string)
	if !hasFrom || result["to_name"] == nil {
		return "", false
	}
	var to string
	switch x := result["to_name"].(type) {
	case string:
		to = x
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = fmt.Sprint(p)
		}
		to = strings.Join(parts, ",")
	default:
		to = fmt.Sprint(x)
	}
	return from + "|" + to + "|" + strings.ToLower(typ), true
}

// resultLabels is ProjectSummary._get_labels: the list under value[type]
// (labels for videorectangle), never TextArea texts; taxonomy paths are
// flattened.
func resultLabels(result map[string]any) []string {
	typ, _ := result["type"].(string)
	if typ == "videorectangle" {
		typ = "labels"
	}
	value, _ := result["value"].(map[string]any)
	list, ok := value[typ].([]any)
	if !ok || len(list) == 0 || typ == "text" {
		return nil
	}
	var out []string
	for _, label := range list {
		if nested, isList := label.([]any); isList && typ == "taxonomy" {
			for _, l := range nested {
				out = append(out, pythonLabel(l))
			}
			continue
		}
		out = append(out, pythonLabel(label))
	}
	return out
}

func pythonLabel(v any) string {
	if s, ok := pythonStr(v).(string); ok {
		return s
	}
	return "None"
}

// checkConfigAgainstAnnotations is the annotation part of
// Project.validate_config: the config must still have every control
// (from_name, to_name, type) that annotations use, every control tag whose
// labels they use, and, when strict, every label they use.
func (st *state) checkConfigAgainstAnnotations(p *project, config string, strict bool) error {
	tasks := 0
	for _, t := range st.Tasks {
		if t.Project == p.ID {
			tasks++
		}
	}
	if tasks == 0 || len(objectTagNames(config)) == 0 {
		return nil
	}
	if !st.projectHasAnnotations(p.ID) {
		return nil
	}
	sum := st.summaryOf(p.ID)
	controls := controlTags(config)
	if len(controls) == 0 {
		return nil
	}
	fromConfig := map[string]bool{}
	types := map[string]bool{}
	for _, c := range controls {
		fromConfig[c.name+"|"+strings.Join(c.toName, ",")+"|"+strings.ToLower(c.typ)] = true
		types[strings.ToLower(c.typ)] = true
	}
	controlMatches := func(name string, only map[string]bool) bool {
		for _, c := range controls {
			if (only == nil || only[c.name]) && fullMatch(c.name, name) {
				return true
			}
		}
		return false
	}
	toNameMatches := func(to string) bool {
		for _, c := range controls {
			for _, target := range c.toName {
				if fullMatch(target, to) {
					return true
				}
			}
		}
		return false
	}
	var diff []string
	keys := slices.Clone(sum.annotationKeys)
	sort.Strings(keys) // Python iterates a set here: no order to keep
	for _, key := range keys {
		if fromConfig[key] {
			continue
		}
		parts := strings.SplitN(key, "|", 3)
		from, to, typ := parts[0], parts[1], parts[2]
		if typ == "textarea" {
			continue
		}
		if !controlMatches(from, nil) || !toNameMatches(to) || !types[typ] {
			diff = append(diff, fmt.Sprintf("%d with from_name=%s, to_name=%s, type=%s", sum.annotations[key], from, to, typ))
		}
	}
	if len(diff) > 0 {
		return labelStudioMessage("Created annotations are incompatible with provided labeling schema, we found:\n" + strings.Join(diff, "\n"))
	}

	labelsByControl := map[string][]string{}
	dynamic := map[string]bool{}
	hasVideo := false
	for _, c := range controls {
		if len(c.labels) > 0 {
			labelsByControl[c.name] = c.labels
		}
		if c.dynamic {
			dynamic[c.name] = true
		}
		hasVideo = hasVideo || c.typ == "VideoRectangle"
	}
	for _, tag := range sum.labelTags {
		fromData := sum.labels[tag]
		_, hasLabels := labelsByControl[tag]
		if len(fromData) > 0 && !hasLabels && !dynamic[tag] && !controlMatches(tag, nil) {
			total := 0
			for _, n := range fromData {
				total += n
			}
			return labelStudioMessage(fmt.Sprintf("There are %d annotation(s) created with tag \"%s\", you can't remove it", total, tag))
		}
		original := tag
		for _, c := range controls {
			if fullMatch(c.name, tag) {
				original = c.name
				break
			}
		}
		allowed := map[string]bool{}
		for _, l := range labelsByControl[original] {
			allowed[l] = true
		}
		if hasVideo {
			for _, labels := range labelsByControl {
				for _, l := range labels {
					allowed[l] = true
				}
			}
		}
		var missing []string
		for _, label := range sum.labelOrder[tag] {
			if !allowed[label] {
				missing = append(missing, label)
			}
		}
		if len(missing) == 0 {
			continue
		}
		sort.Strings(missing) // a set difference in Python
		var lines strings.Builder
		for _, label := range missing {
			n := fromData[label]
			plural := ""
			if n > 1 {
				plural = "s"
			}
			fmt.Fprintf(&lines, "%s (%d annotation%s)\n", label, n, plural)
		}
		if strict && !dynamic[tag] && !controlMatches(tag, dynamic) {
			return labelStudioMessage(fmt.Sprintf("These labels still exist in annotations or drafts:\n%sPlease add labels to tag with name=\"%s\".", lines.String(), tag))
		}
	}
	return nil
}

func (st *state) projectHasAnnotations(projectID int64) bool {
	for _, a := range st.Annotations {
		if a.Project == projectID {
			return true
		}
	}
	return false
}

// objectTagNames is get_all_object_tag_names: the data keys ($var) of
// named tags with a value.
func objectTagNames(config string) []string {
	tags, err := parseLabelConfig(config)
	if err != nil {
		return nil
	}
	var out []string
	for _, t := range tags {
		if t.name != "" && strings.HasPrefix(t.value, "$") && len(t.value) > 1 {
			out = append(out, strings.TrimPrefix(t.value, "$"))
		}
	}
	return out
}

// configEssentialDataHasChanged is core/label_config.py
// config_essential_data_has_changed: true when a control tag is new or
// changed type, inputs, or lost labels; otherwise None (null).
func configEssentialDataHasChanged(newConfig, oldConfig string) any {
	old := map[string]controlTag{}
	for _, c := range controlTags(oldConfig) {
		old[c.name] = c
	}
	for _, c := range controlTags(newConfig) {
		o, ok := old[c.name]
		if !ok || o.typ != c.typ || !reflect.DeepEqual(o.inputs, c.inputs) {
			return true
		}
		for _, l := range o.labels {
			if !slices.Contains(c.labels, l) {
				return true
			}
		}
	}
	return nil
}

// xmlParseError is the ParseError parse_config raises on a config that is
// not XML, before any validation runs.
func xmlParseError(config string) error {
	dec := xml.NewDecoder(strings.NewReader(config))
	roots, depth := 0, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	if roots != 1 {
		return errors.New("no element found: line 1, column 0")
	}
	return nil
}

// handleLabelConfigValidate is LabelConfigValidateAPI (POST
// /api/projects/validate/, no authentication): 204, or DRF's own error
// body (projects/api.py calls rest_framework's exception_handler, not
// Label Studio's envelope).
func (s *Server) handleLabelConfigValidate(w http.ResponseWriter, r *http.Request, _ routeParams) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	raw, ok := body["label_config"]
	msg := msgFieldRequired
	if ok {
		var value any
		value, msg = convert(fieldSpec{name: "label_config", typ: typeString, notBlank: true}, raw)
		if msg == "" {
			if _, err := parseLabelConfig(value.(string)); err != nil {
				msg = err.Error()
			}
		}
	}
	if msg != "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"label_config": []string{msg}})
		return nil
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleProjectValidate is ProjectLabelConfigValidateAPI (POST
// /api/projects/{id}/validate/): the config is compared with the current
// one first (a config that is not XML fails there, uncaught), then
// validated, strictly, against the project's annotations.
func (s *Server) handleProjectValidate(w http.ResponseWriter, r *http.Request, p routeParams) error {
	if err := requireFound(s, func(st *state) map[int64]*project { return st.Projects }, p.id, "Project"); err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	config, _ := body["label_config"].(string)
	if !truthy(body["label_config"]) {
		return fieldError("", "Label config is not set or is empty")
	}
	if err := xmlParseError(config); err != nil {
		return uncaught("xml.etree.ElementTree.ParseError", strings.TrimPrefix(err.Error(), "XML syntax error on "))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	proj, ok := s.st.Projects[p.id]
	if !ok {
		return notFound("Project")
	}
	changed := configEssentialDataHasChanged(config, proj.LabelConfig)
	if _, err := parseLabelConfig(config); err != nil {
		return fieldError("", err.Error())
	}
	if err := s.st.checkConfigAgainstAnnotations(proj, config, true); err != nil {
		return fieldError("", err.Error())
	}
	writeJSON(w, http.StatusOK, map[string]any{"config_essential_data_has_changed": changed})
	return nil
}
